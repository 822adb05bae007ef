import { ApiProblem } from '@app/http-problems';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminRoute } from '../auth/admin-route.decorator';
import { FunnelQuery } from './dto/funnel.query';
import { FunnelResponse } from './dto/funnel.response';
import { FunnelStatistics } from './funnel.statistics';
import { StatsDocs } from './stats.docs';

/** Statistics for operators (the console's funnel page). */
@ApiTags('stats')
@AdminRoute()
@ApiProblem(503, 'DEPENDENCY_UNAVAILABLE', 'PostgreSQL is not available; retry later')
@Controller('stats')
export class FunnelController {
  constructor(private readonly funnel: FunnelStatistics) {}

  @Get('funnel')
  @StatsDocs.funnel()
  async get(@Query() query: FunnelQuery): Promise<FunnelResponse> {
    const { from, to } = query.range();
    return FunnelResponse.from(await this.funnel.get(from, to));
  }
}
