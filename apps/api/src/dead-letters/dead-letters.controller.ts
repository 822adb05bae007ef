import { DeadLetterLedger } from '@app/dead-letters';
import { ApiProblem } from '@app/http-problems';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminRoute } from '../auth/admin-route.decorator';
import { RequestId } from '../request-id.decorator';
import { DeadLetterDocs } from './dead-letters.docs';
import { BulkReplayResponse } from './dto/bulk-replay.response';
import { DeadLetterPageResponse } from './dto/dead-letter-page.response';
import { DeadLetterSummaryResponse } from './dto/dead-letter-summary.response';
import { DeadLetterResponse } from './dto/dead-letter.response';
import { ListDeadLettersQuery } from './dto/list-dead-letters.query';
import { MessageIdParams } from './dto/message-id.params';
import { ReplayAcceptedResponse } from './dto/replay-accepted.response';
import { ReplayDeadLettersDto } from './dto/replay-dead-letters.dto';

@ApiTags('dead-letters')
@AdminRoute()
@ApiProblem(503, 'DEPENDENCY_UNAVAILABLE', 'PostgreSQL is not available; retry later')
@Controller('dead-letters')
export class DeadLettersController {
  constructor(private readonly ledger: DeadLetterLedger) {}

  @Get()
  @DeadLetterDocs.list()
  async list(@Query() query: ListDeadLettersQuery): Promise<DeadLetterPageResponse> {
    return DeadLetterPageResponse.from(await this.ledger.list(query.toFilter(), query.limit, query.cursor));
  }

  @Get(':messageId')
  @DeadLetterDocs.get()
  async get(@Param() { messageId }: MessageIdParams): Promise<DeadLetterResponse> {
    return DeadLetterResponse.fromDetail(await this.ledger.get(messageId));
  }

  @Post('replay')
  @HttpCode(200)
  @DeadLetterDocs.replayMatching()
  replayMatching(
    @Body() body: ReplayDeadLettersDto,
    @RequestId() requestId: string,
  ): Promise<BulkReplayResponse> {
    return this.ledger.replayMatching(body.toFilter(), body.limit, body.dryRun, requestId);
  }

  @Post(':messageId/replay')
  @HttpCode(202)
  @DeadLetterDocs.replay()
  async replay(
    @Param() { messageId }: MessageIdParams,
    @RequestId() requestId: string,
  ): Promise<ReplayAcceptedResponse> {
    await this.ledger.replay(messageId, requestId);
    return { messageId, status: 'replayed' };
  }

  @Post(':messageId/discard')
  @HttpCode(200)
  @DeadLetterDocs.discard()
  async discard(@Param() { messageId }: MessageIdParams): Promise<DeadLetterSummaryResponse> {
    return DeadLetterSummaryResponse.from(await this.ledger.discard(messageId));
  }
}
