import { ApiProblem } from '@app/http-problems';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminRoute } from '../auth/admin-route.decorator';
import { DeadLetterGroupStatistics } from './dead-letter-groups.statistics';
import { DeadLetterGroupsQuery } from './dto/dead-letter-groups.query';
import { DeadLetterGroupsResponse } from './dto/dead-letter-groups.response';
import { StatsDocs } from './stats.docs';

/**
 * `GET /dead-letters/groups`, beside the ledger's own routes (a static segment, so Fastify's router prefers it
 * to `/dead-letters/{messageId}` whatever the order of registration).
 */
@ApiTags('dead-letters')
@AdminRoute()
@ApiProblem(503, 'DEPENDENCY_UNAVAILABLE', 'PostgreSQL is not available; retry later')
@Controller('dead-letters')
export class DeadLetterGroupsController {
  constructor(private readonly groups: DeadLetterGroupStatistics) {}

  @Get('groups')
  @StatsDocs.deadLetterGroups()
  async list(@Query() query: DeadLetterGroupsQuery): Promise<DeadLetterGroupsResponse> {
    return DeadLetterGroupsResponse.from(await this.groups.get(query.status, query.range()));
  }
}
