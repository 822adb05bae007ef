import { AppConfig } from '@app/config';
import { DatabaseConnector } from '@app/database';
import { InboxRetention } from '@app/onboarding';
import { OutboxRetention } from '@app/outbox';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

/** How much one purge removed. */
export interface PurgeResult {
  outbox: number;
  inbox: number;
}

/**
 * Purges published outbox rows and inbox rows past their retention (`OUTBOX_RETENTION_DAYS`,
 * `INBOX_RETENTION_DAYS`) every `RETENTION_INTERVAL_MS`, in batches of `RETENTION_BATCH_SIZE` rows, so that
 * neither table grows without bound and no purge holds locks for long. Pending outbox rows are never purged.
 * Several worker replicas may purge at once: batches skip rows another one holds.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionJob.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly database: DatabaseConnector,
    private readonly outbox: OutboxRetention,
    private readonly inbox: InboxRetention,
  ) {}

  onApplicationBootstrap(): void {
    // The worker bootstraps twice (HTTP, then its microservice): one timer.
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.purge()
        .catch((error: Error) => this.logger.warn(`retention purge failed: ${error.message}`))
        .finally(() => {
          this.running = undefined;
        });
    }, this.config.retention.intervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Purges everything that is due, batch by batch (stops early on shutdown). */
  async purge(): Promise<PurgeResult> {
    if (!this.database.isConnected) return { outbox: 0, inbox: 0 };
    const { outboxDays, inboxDays, batchSize } = this.config.retention;
    const result = {
      outbox: await this.drain(() => this.outbox.purgeBatch(outboxDays, batchSize)),
      inbox: await this.drain(() => this.inbox.purgeBatch(inboxDays, batchSize)),
    };
    if (result.outbox + result.inbox > 0) {
      this.logger.log(`purged ${result.outbox} outbox and ${result.inbox} inbox row(s) past their retention`);
    }
    return result;
  }

  private async drain(purgeBatch: () => Promise<number>): Promise<number> {
    const { batchSize } = this.config.retention;
    let total = 0;
    while (!this.stopping) {
      const deleted = await purgeBatch();
      total += deleted;
      if (deleted < batchSize) break;
    }
    return total;
  }
}
