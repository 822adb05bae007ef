import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseConnector } from './database.connector';

/** Readiness: PostgreSQL answers `SELECT 1` within the timeout. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly database: DatabaseConnector,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'postgresql', timeoutMs = 1000) {
    const indicator = this.health.check(key);
    if (!this.database.isConnected) return indicator.down({ message: 'not connected' });
    try {
      await this.database.probe(timeoutMs);
      return indicator.up();
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      return indicator.down({ message: cause instanceof Error ? cause.message : (error as Error).message });
    }
  }
}
