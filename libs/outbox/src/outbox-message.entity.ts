import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OutboxExchange } from './outbox.writer';

/**
 * An event waiting to be published (or already published). Written in the same transaction as the change it
 * announces; its id is the AMQP message id, which consumers deduplicate on.
 */
@Entity({ name: 'outbox_messages' })
export class OutboxMessage {
  @PrimaryColumn('uuid')
  id!: string;

  /** The AMQP message id when it differs from the row id: a replay republishes under the original id. */
  @Column({ type: 'text', name: 'message_id', nullable: true })
  messageId!: string | null;

  @Column('text')
  exchange!: OutboxExchange;

  @Column({ type: 'text', name: 'routing_key' })
  routingKey!: string;

  @Column('jsonb')
  payload!: Record<string, unknown>;

  @Column('jsonb')
  headers!: Record<string, string>;

  @Column({ type: 'timestamptz', name: 'created_at', precision: 3, insert: false })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'available_at', precision: 3, insert: false })
  availableAt!: Date;

  @Column({ type: 'timestamptz', name: 'published_at', precision: 3, nullable: true, insert: false })
  publishedAt!: Date | null;

  @Column({ type: 'integer', name: 'publish_attempts', insert: false })
  publishAttempts!: number;

  @Column({ type: 'text', name: 'last_error', nullable: true, insert: false })
  lastError!: string | null;
}
