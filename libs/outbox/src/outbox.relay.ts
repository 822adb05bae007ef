import { PreparedStatement, queryPrepared } from '@app/database';
import { AppConfig } from '@app/config';
import { RabbitMqConnection } from '@app/messaging';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PgNotificationListener } from './pg-notification.listener';
import { CommittedMessagePublisher, OutboxHandoff, WrittenOutboxMessage } from './outbox-handoff';
import type { OutboxExchange } from './outbox.writer';
import { Wakeup } from './wakeup';

interface PendingRow {
  id: string;
  /** The row's own id, unless it replays a message published before under another id. */
  message_id: string;
  exchange: OutboxExchange;
  routing_key: string;
  payload: unknown;
  headers: Record<string, string>;
  created_at: Date;
  publish_attempts: number;
}

/** The channel the outbox trigger NOTIFYs on every insert (see the initial migration). */
export const OUTBOX_NOTIFY_CHANNEL = 'outbox_messages';

const RELAY_BATCH_SQL = PreparedStatement.define(
  'outbox-relay.relayBatch',
  `UPDATE outbox_messages o
  SET available_at = clock_timestamp() + make_interval(secs => $2::float8 / 1000),
      publish_attempts = o.publish_attempts + 1
  FROM (SELECT id FROM outbox_messages
        WHERE published_at IS NULL AND available_at <= clock_timestamp()
        ORDER BY available_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
  WHERE o.id = due.id
  RETURNING o.id, COALESCE(o.message_id, o.id::text) AS message_id, o.exchange, o.routing_key, o.payload,
            o.headers, o.created_at, o.publish_attempts`,
);

const MARK_PUBLISHED_SQL = PreparedStatement.define(
  'outbox-relay.markPublished',
  `UPDATE outbox_messages SET published_at = clock_timestamp(), last_error = NULL
  WHERE id = ANY($1::uuid[]) AND published_at IS NULL`,
);

const MARK_FAILED_SQL = PreparedStatement.define(
  'outbox-relay.markFailed',
  `UPDATE outbox_messages
  SET last_error = $2,
      available_at = clock_timestamp()
        + make_interval(secs => LEAST(30, 0.25 * power(2, publish_attempts - 1)) * (0.5 + random() / 2))
  WHERE id = $1 AND published_at IS NULL`,
);

/**
 * Publishes pending outbox rows to the events exchange and marks them published once the broker has confirmed
 * them (confirm + `mandatory`: an unroutable, nacked or timed-out message stays pending and is tried again after
 * a backoff). Rows are claimed with `FOR UPDATE SKIP LOCKED` and a lease, so any number of replicas of either
 * app can relay at once;
 * progress is the `published_at` of each row, never a "last id" pointer (rows commit out of order).
 * Wakes on NOTIFY and also polls. The rows this process writes itself are handed to it at commit instead
 * ({@link OutboxHandoff}); the claims are for everything else: rows of other processes and of a crashed one,
 * replays, and retries after a failed publish.
 */
@Injectable()
export class OutboxRelay
  implements OnApplicationBootstrap, BeforeApplicationShutdown, CommittedMessagePublisher
{
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly wakeup = new Wakeup();
  private readonly listener: PgNotificationListener;
  private running?: Promise<void>;
  private stopping = false;
  /** Handed-off rows being published and marked, awaited before the final flush. */
  private readonly handoffs = new Set<Promise<void>>();
  /** Published rows waiting for the next mark statement, and that statement's loop while one runs. */
  private unmarked: string[] = [];
  private marking?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rabbit: RabbitMqConnection,
    private readonly config: AppConfig,
    private readonly handoff: OutboxHandoff,
  ) {
    this.listener = new PgNotificationListener(config.database.url, OUTBOX_NOTIFY_CHANNEL, () =>
      this.wakeup.wake(),
    );
  }

  onApplicationBootstrap(): void {
    // A hybrid app (the worker) bootstraps twice: once for HTTP, once when its microservice starts.
    if (this.running) return;
    this.listener.start();
    this.handoff.attach(this);
    this.running = this.run();
  }

  /**
   * Stops claiming rows and taking new ones at commit; the batch being published and the rows handed off are
   * finished (and marked) first.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.handoff.stopLeasing();
    this.wakeup.wake();
    // First, and whatever the loop ends in: a listener left running reconnects forever after the app is gone.
    await this.listener.stop();
    await this.running;
    await Promise.allSettled([...this.handoffs]);
    await this.flush();
  }

  /** Longer than a publish can take (its confirm timeout) and the mark after it. */
  get handoffLeaseMs(): number {
    return Math.max(10_000, 2 * this.config.rabbitmq.publishTimeoutMs);
  }

  publishCommitted(messages: readonly WrittenOutboxMessage[]): void {
    const rows = messages.map((message): PendingRow => ({
      id: message.id,
      message_id: message.messageId,
      exchange: message.exchange,
      routing_key: message.routingKey,
      payload: message.payload,
      headers: message.headers,
      created_at: message.createdAt,
      publish_attempts: 1,
    }));
    const handoff: Promise<void> = this.publishAndMark(rows)
      .then(() => undefined)
      .catch((error: unknown) => {
        // The rows stay claimed until their lease runs out; then any relay publishes them.
        this.logger.warn(`publishing committed outbox messages failed: ${(error as Error).message}`);
      })
      .finally(() => this.handoffs.delete(handoff));
    this.handoffs.add(handoff);
  }

  /**
   * Publishes what is due before the process goes, within the shutdown budget: closeOnSignals stops HTTP first,
   * so this includes registrations acknowledged during the shutdown. Whatever is left waits for another replica.
   */
  private async flush(): Promise<void> {
    const deadline = Date.now() + this.config.shutdownTimeoutMs / 2;
    try {
      while (this.dataSource.isInitialized && this.rabbit.isConnected && Date.now() < deadline) {
        if ((await this.relayBatch()) < this.config.outbox.batchSize) return;
      }
    } catch (error) {
      this.logger.warn(`final outbox flush stopped: ${(error as Error).message}`);
    }
  }

  private async run(): Promise<void> {
    const { batchSize, pollIntervalMs } = this.config.outbox;
    while (!this.stopping) {
      let published = 0;
      try {
        if (this.dataSource.isInitialized && this.rabbit.isConnected) published = await this.relayBatch();
      } catch (error) {
        this.logger.warn(`outbox relay pass failed: ${(error as Error).message}`);
      }
      if (published < batchSize) await this.wakeup.sleep(pollIntervalMs);
    }
  }

  /**
   * Publishes one batch of due rows. Returns how many were published. No transaction stays open while the broker
   * confirms: the rows are claimed by moving their `available_at` past a lease in one statement (so no other
   * relay takes them meanwhile), then published, then marked. A relay that dies in between leaves them to be
   * claimed again once the lease runs out: at-least-once, which the consumers' inbox absorbs.
   */
  async relayBatch(): Promise<number> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [PendingRow[], number] = await queryPrepared(this.dataSource, RELAY_BATCH_SQL, [
      this.config.outbox.batchSize,
      this.leaseMs,
    ]);
    if (rows.length === 0) return 0;
    return this.publishAndMark(rows);
  }

  /** Publishes claimed rows side by side; marks the confirmed published and the others failed. */
  private async publishAndMark(rows: readonly PendingRow[]): Promise<number> {
    const outcomes = await Promise.allSettled(rows.map((row) => this.publish(row)));
    const published = rows.filter((_, index) => outcomes[index]?.status === 'fulfilled').map((row) => row.id);
    await this.markPublished(published);
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.status === 'rejected') await this.markFailed(rows[index], outcome.reason);
    }
    return published.length;
  }

  /** Longer than any publish can take (its confirm timeout), so a row is never claimed by two relays at once. */
  private get leaseMs(): number {
    return Math.max(30_000, 3 * this.config.rabbitmq.publishTimeoutMs);
  }

  private publish(row: PendingRow): Promise<void> {
    const { names } = this.rabbit;
    return this.rabbit.publisher.publish({
      exchange: row.exchange === 'steps' ? names.stepsExchange : names.eventsExchange,
      routingKey: row.routing_key,
      messageId: row.message_id,
      body: Buffer.from(JSON.stringify(row.payload)),
      headers: row.headers,
      timestamp: row.created_at,
    });
  }

  /**
   * Marks rows published. One statement at a time: rows confirmed while one runs are marked together by the
   * next, so that handoffs of one row each (a registration) do not cost one statement each.
   */
  private async markPublished(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    this.unmarked.push(...ids);
    this.marking ??= this.markUnmarked();
    await this.marking;
  }

  private async markUnmarked(): Promise<void> {
    try {
      while (this.unmarked.length > 0) {
        const ids = this.unmarked;
        this.unmarked = [];
        await queryPrepared(this.dataSource, MARK_PUBLISHED_SQL, [ids]);
      }
    } finally {
      this.marking = undefined;
    }
  }

  /** Keeps the row pending, due again after an exponential, jittered delay (at most 30 s). */
  private async markFailed(row: PendingRow, reason: unknown): Promise<void> {
    const message = reason instanceof Error ? reason.message : String(reason);
    this.logger.warn(`publishing outbox message ${row.id} failed, will retry: ${message}`);
    await queryPrepared(this.dataSource, MARK_FAILED_SQL, [row.id, message.slice(0, 1000)]);
  }
}
