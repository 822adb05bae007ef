import { DatabaseHealthIndicator } from '@app/database';
import { RabbitMqHealthIndicator, ReliableRmqServer } from '@app/messaging';
import { drainingCheck } from '@app/resilience';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

/**
 * The worker's probes. Ready = PostgreSQL answers and the consumer consumes every queue on an open channel (not
 * paused for an outage, not shutting down).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseHealthIndicator,
    private readonly rabbitmq: RabbitMqHealthIndicator,
    private readonly consumer: ReliableRmqServer,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => drainingCheck(this.indicators),
      () => this.database.check('postgresql'),
      () => {
        const { consuming, detail } = this.consumer.consumerStatus();
        return this.rabbitmq.check('rabbitmq', consuming, detail);
      },
    ]);
  }
}
