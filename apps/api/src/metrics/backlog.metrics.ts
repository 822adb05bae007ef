import { DeadLetterRepository } from '@app/dead-letters';
import { OutboxBacklogReader } from '@app/outbox';
import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

/**
 * What an operator alerts on, read from PostgreSQL at scrape time: events not yet published (and how old the
 * oldest is), and dead letters waiting for someone, per error code. Left unset while the database is away.
 */
@Injectable()
export class BacklogMetrics {
  constructor(
    registry: Registry,
    dataSource: DataSource,
    outbox: OutboxBacklogReader,
    deadLetters: DeadLetterRepository,
  ) {
    const ifConnected = (collect: () => Promise<void>) => async () => {
      if (dataSource.isInitialized) await collect().catch(() => undefined);
    };
    // prom-client collects metrics concurrently, so each gauge reads for itself (one cheap indexed query each).
    const pending: Gauge = new Gauge({
      name: 'onboarding_outbox_pending_events',
      help: 'Events in the outbox not yet confirmed by RabbitMQ',
      registers: [registry],
      collect: ifConnected(async () => pending.set((await outbox.read()).pending)),
    });
    const oldest: Gauge = new Gauge({
      name: 'onboarding_outbox_oldest_pending_seconds',
      help: 'Age of the oldest unpublished outbox event (0 when none)',
      registers: [registry],
      collect: ifConnected(async () => oldest.set((await outbox.read()).oldestPendingSeconds)),
    });
    const deadLettersPending: Gauge<'error_code'> = new Gauge({
      name: 'onboarding_dead_letters_pending',
      help: 'Dead letters waiting for replay or discard, by error code',
      labelNames: ['error_code'],
      registers: [registry],
      collect: ifConnected(async () => {
        const counts = await deadLetters.countPendingByErrorCode();
        deadLettersPending.reset();
        for (const { errorCode, count } of counts) deadLettersPending.set({ error_code: errorCode }, count);
      }),
    });
  }
}
