import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';

export interface NewOutboxMessage {
  /** Defaults to a new UUID; a replay passes the original message id. */
  id?: string;
  routingKey: string;
  payload: object;
  headers?: Record<string, string>;
}

/** Adds an event to the outbox inside the caller's transaction: the event exists if and only if the change does. */
@Injectable()
export class OutboxWriter {
  async enqueue(manager: EntityManager, message: NewOutboxMessage): Promise<string> {
    const id = message.id ?? randomUUID();
    await manager.query(
      `INSERT INTO outbox_messages (id, routing_key, payload, headers) VALUES ($1, $2, $3::jsonb, $4::jsonb)`,
      [id, message.routingKey, JSON.stringify(message.payload), JSON.stringify(message.headers ?? {})],
    );
    return id;
  }
}
