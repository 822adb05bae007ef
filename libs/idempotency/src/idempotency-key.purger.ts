import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdempotencyStore } from './idempotency.store';

const PURGE_EVERY_MS = 10 * 60_000;

/**
 * Deletes expired idempotency keys every 10 minutes (in batches, until none is left), in every API replica:
 * two replicas purging at once delete disjoint rows or nothing.
 */
@Injectable()
export class IdempotencyKeyPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyKeyPurger.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.purge(), PURGE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** @returns how many keys were deleted */
  async purge(): Promise<number> {
    if (!this.dataSource.isInitialized) return 0;
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.store.purgeExpired();
        total += deleted;
        if (deleted === 0) break;
      }
    } catch (error) {
      this.logger.warn(`purging expired idempotency keys failed: ${(error as Error).message}`);
    }
    return total;
  }
}
