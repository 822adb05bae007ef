import { DatabaseHealthIndicator } from '@app/database';
import { RabbitMqConnection, RabbitMqHealthIndicator } from '@app/messaging';
import { drainingCheck } from '@app/resilience';
import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

/** Kubernetes probes. Liveness checks nothing external; readiness checks PostgreSQL and RabbitMQ. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseHealthIndicator,
    private readonly rabbitmqIndicator: RabbitMqHealthIndicator,
    private readonly rabbitmq: RabbitMqConnection,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process is up (checks nothing external)' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: PostgreSQL and RabbitMQ reachable; 503 names what is down' })
  ready() {
    return this.health.check([
      () => drainingCheck(this.indicators),
      () => this.database.check('postgresql'),
      () => this.rabbitmqIndicator.check('rabbitmq', this.rabbitmq.isConnected),
    ]);
  }
}
