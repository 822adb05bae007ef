import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import type { DeadLetterCursor } from './dead-letter-cursor';
import { DeadLetterOccurrence, OccurrenceResolution } from './dead-letter-occurrence.entity';
import { DeadLetter, DeadLetterStatus } from './dead-letter.entity';
import { ConcurrentOccurrenceError } from './dead-letters.errors';
import type { StorableDeadLetter } from './storable-dead-letter';

/** Filters of the list and of the bulk replay; all optional, combined with AND. */
export interface DeadLetterFilter {
  status?: DeadLetterStatus;
  routingKey?: string;
  /** The queue it failed in (which onboarding step), exactly. */
  queue?: string;
  errorCode?: string;
  /** Dead-lettered at or after. */
  from?: Date;
  /** Dead-lettered before. */
  to?: Date;
}

/** What upserting a dead letter did: a new row, a new failure of a known message, or nothing (a redelivery). */
export type RecordOutcome = 'recorded' | 'recorded-again' | 'duplicate';

/** The list shows neither body, payload, headers nor stack: those are for the one-letter view. */
const SUMMARY_COLUMNS: (keyof DeadLetter)[] = [
  'messageId',
  'type',
  'routingKey',
  'errorCode',
  'errorMessage',
  'attempts',
  'firstFailedAt',
  'lastFailedAt',
  'deadLetteredAt',
  'deadLetteredBy',
  'requestId',
  'status',
  'timesDeadLettered',
  'replayCount',
  'replayedAt',
  'discardedAt',
  'storageNotes',
  'queue',
];

/** Persistence of the dead-letter ledger. */
@Injectable()
export class DeadLetterRepository {
  constructor(
    @InjectRepository(DeadLetter) private readonly deadLetters: Repository<DeadLetter>,
    @InjectRepository(DeadLetterOccurrence) private readonly occurrences: Repository<DeadLetterOccurrence>,
  ) {}

  /**
   * Records one occurrence of a dead letter inside the caller's transaction. The occurrence id decides: seen
   * before (the dead-letter queue delivers at least once, and may deliver again), nothing changes. New, it is
   * inserted, and the message's row is inserted, or takes this failure and is pending again (it failed again
   * after a replay, or came back after a discard: the earlier occurrence keeps that decision).
   */
  async record(manager: EntityManager, deadLetter: StorableDeadLetter): Promise<RecordOutcome> {
    const row = [
      deadLetter.messageId,
      deadLetter.type,
      deadLetter.exchange,
      deadLetter.routingKey,
      deadLetter.contentType,
      deadLetter.body,
      deadLetter.payloadJson,
      deadLetter.headersJson,
      deadLetter.errorCode,
      deadLetter.errorMessage,
      deadLetter.errorStack,
      deadLetter.attempts,
      deadLetter.firstFailedAt,
      deadLetter.lastFailedAt,
      deadLetter.deadLetteredBy,
      deadLetter.requestId,
      deadLetter.storageNotes,
      deadLetter.queue,
    ];
    const [message]: { inserted: boolean }[] = await manager.query(
      `INSERT INTO dead_letters (message_id, type, exchange, routing_key, content_type, body, payload, headers,
         error_code, error_message, error_stack, attempts, first_failed_at, last_failed_at, dead_lettered_by,
         request_id, storage_notes, queue)
       SELECT $1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18
       WHERE NOT EXISTS (SELECT 1 FROM dead_letter_occurrences WHERE occurrence_id = $19)
       ON CONFLICT (message_id) DO UPDATE SET
         type = EXCLUDED.type, exchange = EXCLUDED.exchange, routing_key = EXCLUDED.routing_key,
         content_type = EXCLUDED.content_type, body = EXCLUDED.body, payload = EXCLUDED.payload,
         headers = EXCLUDED.headers, error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
         error_stack = EXCLUDED.error_stack, attempts = EXCLUDED.attempts,
         first_failed_at = LEAST(dead_letters.first_failed_at, EXCLUDED.first_failed_at),
         last_failed_at = EXCLUDED.last_failed_at, dead_lettered_by = EXCLUDED.dead_lettered_by,
         request_id = COALESCE(EXCLUDED.request_id, dead_letters.request_id),
         storage_notes = EXCLUDED.storage_notes, queue = EXCLUDED.queue,
         dead_lettered_at = now(), status = 'pending',
         times_dead_lettered = dead_letters.times_dead_lettered + 1
       RETURNING (xmax = 0) AS inserted`,
      [...row, deadLetter.occurrenceId],
    );
    if (!message) return 'duplicate';
    // A concurrent delivery of the same occurrence waits here on the primary key, then finds it taken; its
    // transaction rolls back, row update included.
    const occurrence: unknown[] = await manager.query(
      `INSERT INTO dead_letter_occurrences (occurrence_id, message_id, error_code, error_message, attempts,
         dead_lettered_by)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (occurrence_id) DO NOTHING RETURNING 1`,
      [
        deadLetter.occurrenceId,
        deadLetter.messageId,
        deadLetter.errorCode,
        deadLetter.errorMessage,
        deadLetter.attempts,
        deadLetter.deadLetteredBy,
      ],
    );
    if (occurrence.length === 0) throw new ConcurrentOccurrenceError(deadLetter.occurrenceId);
    return message.inserted ? 'recorded' : 'recorded-again';
  }

  /** Every occurrence of a dead letter, oldest first. */
  findOccurrences(messageId: string): Promise<DeadLetterOccurrence[]> {
    return this.occurrences.find({
      where: { messageId },
      order: { deadLetteredAt: 'ASC', occurrenceId: 'ASC' },
    });
  }

  /** One dead letter, locked for update when a transaction's manager is given. */
  findById(messageId: string, manager?: EntityManager): Promise<DeadLetter | null> {
    if (!manager) return this.deadLetters.findOneBy({ messageId });
    return manager.findOne(DeadLetter, { where: { messageId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Summaries (no body, headers or stack) after `after`, in `(deadLetteredAt, messageId)` order. */
  findPage(filter: DeadLetterFilter, limit: number, after?: DeadLetterCursor): Promise<DeadLetter[]> {
    const query = this.filtered(this.deadLetters.createQueryBuilder('letter'), filter).select(
      SUMMARY_COLUMNS.map((column) => `letter.${column}`),
    );
    if (after) {
      query.andWhere('(letter.deadLetteredAt, letter.messageId) > (:afterAt, :afterId)', {
        afterAt: after.deadLetteredAt,
        afterId: after.messageId,
      });
    }
    return query.limit(limit).getMany();
  }

  /**
   * Pending dead letters that can be replayed (their body is JSON), in list order. With `lock`, the rows are
   * locked for the caller's transaction and rows another replay is holding are skipped.
   */
  findReplayable(
    manager: EntityManager,
    filter: Omit<DeadLetterFilter, 'status'>,
    limit: number,
    lock: boolean,
  ): Promise<DeadLetter[]> {
    const query = this.filtered(manager.createQueryBuilder(DeadLetter, 'letter'), {
      ...filter,
      status: 'pending',
    })
      .andWhere('letter.payload IS NOT NULL')
      .andWhere('letter.type = letter.routingKey')
      .limit(limit);
    if (lock) query.setLock('pessimistic_write').setOnLocked('skip_locked');
    return query.getMany();
  }

  /** Summaries of the dead letters whose JSON payload contains `fragment` (say `{ userId }`), oldest first. */
  findByPayload(fragment: Record<string, unknown>, limit: number): Promise<DeadLetter[]> {
    return this.deadLetters
      .createQueryBuilder('letter')
      .select(SUMMARY_COLUMNS.map((column) => `letter.${column}`))
      .where('letter.payload @> CAST(:fragment AS jsonb)', { fragment: JSON.stringify(fragment) })
      .orderBy('letter.deadLetteredAt', 'ASC')
      .addOrderBy('letter.messageId', 'ASC')
      .limit(limit)
      .getMany();
  }

  async markReplayed(manager: EntityManager, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await manager.query(
      `UPDATE dead_letters SET status = 'replayed', replay_count = replay_count + 1, replayed_at = now()
       WHERE message_id = ANY($1::text[])`,
      [messageIds],
    );
    await this.resolveOccurrences(manager, messageIds, 'replayed');
  }

  /** Pending dead letters per error code (for the metrics an operator alerts on). */
  async countPendingByErrorCode(): Promise<{ errorCode: string; count: number }[]> {
    return this.deadLetters.query(
      `SELECT error_code AS "errorCode", count(*)::int AS count FROM dead_letters
       WHERE status = 'pending' GROUP BY error_code`,
    );
  }

  async markDiscarded(manager: EntityManager, messageId: string): Promise<void> {
    await manager.query(
      `UPDATE dead_letters SET status = 'discarded', discarded_at = now() WHERE message_id = $1`,
      [messageId],
    );
    await this.resolveOccurrences(manager, [messageId], 'discarded');
  }

  /** The decision goes on the occurrences it was taken on: those still unresolved. */
  private async resolveOccurrences(
    manager: EntityManager,
    messageIds: string[],
    resolution: OccurrenceResolution,
  ): Promise<void> {
    await manager.query(
      `UPDATE dead_letter_occurrences SET resolution = $2, resolved_at = now()
       WHERE message_id = ANY($1::text[]) AND resolution IS NULL`,
      [messageIds, resolution],
    );
  }

  private filtered(
    query: SelectQueryBuilder<DeadLetter>,
    filter: DeadLetterFilter,
  ): SelectQueryBuilder<DeadLetter> {
    query.where('TRUE');
    if (filter.status) query.andWhere('letter.status = :status', { status: filter.status });
    if (filter.routingKey)
      query.andWhere('letter.routingKey = :routingKey', { routingKey: filter.routingKey });
    if (filter.queue) query.andWhere('letter.queue = :queue', { queue: filter.queue });
    if (filter.errorCode) query.andWhere('letter.errorCode = :errorCode', { errorCode: filter.errorCode });
    if (filter.from) query.andWhere('letter.deadLetteredAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('letter.deadLetteredAt < :to', { to: filter.to });
    return query.orderBy('letter.deadLetteredAt', 'ASC').addOrderBy('letter.messageId', 'ASC');
  }
}
