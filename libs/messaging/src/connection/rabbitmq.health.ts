import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/** Readiness of a RabbitMQ link (a publishing connection, or a consumer), from its own live state. */
@Injectable()
export class RabbitMqHealthIndicator {
  constructor(private readonly health: HealthIndicatorService) {}

  check(key: string, isUp: boolean, downMessage = 'not connected') {
    const indicator = this.health.check(key);
    return isUp ? indicator.up() : indicator.down({ message: downMessage });
  }
}
