import { PreparedStatement, queryPrepared } from '@app/database';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { handoffClaimValues, OutboxHandoff, type WrittenOutboxMessage } from './outbox-handoff';

/**
 * Where an outbox message goes: `events` (the public topic exchange of domain events) or `steps` (the worker's
 * own commands, one onboarding step to run). Stored by this logical name, so a new topology prefix needs no
 * migration.
 */
export const OUTBOX_EXCHANGES = ['events', 'steps'] as const;
export type OutboxExchange = (typeof OUTBOX_EXCHANGES)[number];

export interface NewOutboxMessage {
  /** Defaults to `events`. */
  exchange?: OutboxExchange;
  routingKey: string;
  /** Any JSON value (an event is an object; a replayed dead letter is whatever JSON it was). */
  payload: unknown;
  headers?: Record<string, string>;
  /**
   * The AMQP message id to publish under; defaults to the row's own id. A replay passes the original message's
   * id, so that consumers deduplicating on it recognise a message they have applied before.
   */
  messageId?: string;
}

const ENQUEUE_MANY_SQL = PreparedStatement.define(
  'outbox.enqueueMany',
  `INSERT INTO outbox_messages (id, message_id, exchange, routing_key, payload, headers, available_at, publish_attempts)
  SELECT *, ${handoffClaimValues('$7')}
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[])`,
);

/**
 * Adds an event to the outbox inside the caller's transaction: the event exists if and only if the change does.
 * It is handed to this process's relay when that transaction commits ({@link OutboxHandoff}).
 */
@Injectable()
export class OutboxWriter {
  constructor(private readonly handoff: OutboxHandoff) {}

  /** @returns the id of the new outbox row */
  async enqueue(manager: EntityManager, message: NewOutboxMessage): Promise<string> {
    const [id] = await this.enqueueMany(manager, [message]);
    return id;
  }

  /** Several messages in one statement (one NOTIFY for all of them). @returns the new rows' ids, in order */
  async enqueueMany(manager: EntityManager, messages: readonly NewOutboxMessage[]): Promise<string[]> {
    if (messages.length === 0) return [];
    const createdAt = new Date();
    const written = messages.map((message): WrittenOutboxMessage => {
      const id = randomUUID();
      return {
        id,
        messageId: message.messageId ?? id,
        exchange: message.exchange ?? 'events',
        routingKey: message.routingKey,
        payload: message.payload,
        headers: message.headers ?? {},
        createdAt,
      };
    });
    const leaseMs = this.handoff.leaseMs;
    await queryPrepared(manager, ENQUEUE_MANY_SQL, [
      written.map((row) => row.id),
      messages.map((message) => message.messageId ?? null),
      written.map((row) => row.exchange),
      written.map((row) => row.routingKey),
      written.map((row) => JSON.stringify(row.payload)),
      written.map((row) => JSON.stringify(row.headers)),
      leaseMs,
    ]);
    this.handoff.written(manager, leaseMs, written);
    return written.map((row) => row.id);
  }
}
