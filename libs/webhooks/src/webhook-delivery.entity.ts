import { Column, Entity, PrimaryColumn } from 'typeorm';

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
/**
 * pending: scheduled, being sent or waiting for a retry; delivered: the endpoint answered 2xx; failed: a permanent
 * failure, or the retries ran out (its step message was dead-lettered); skipped: a recorded no-op, never sent
 * (the endpoint was deleted, or the user erased before an event about it went out).
 */
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint. Its id is the `webhook-id` of every attempt, redeliveries included, so a receiver
 * deduplicates on it. The event is kept as it was published (ids and times, no personal data); the payload is
 * built from the user's current data at each attempt.
 */
@Entity({ name: 'webhook_deliveries' })
export class WebhookDelivery {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'endpoint_id' })
  endpointId!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text', { name: 'event_type' })
  eventType!: string;

  /** The id of the event's message on the events exchange. */
  @Column('text', { name: 'event_message_id' })
  eventMessageId!: string;

  @Column('jsonb', { name: 'event_payload' })
  eventPayload!: Record<string, unknown>;

  @Column({ type: 'timestamptz', name: 'occurred_at', precision: 3 })
  occurredAt!: Date;

  @Column('text')
  status!: WebhookDeliveryStatus;

  /** The deliver-webhook step message that runs it now (a redelivery gets a new one). */
  @Column('text', { name: 'step_message_id' })
  stepMessageId!: string;

  @Column('integer')
  attempts!: number;

  @Column('integer', { name: 'last_status_code', nullable: true })
  lastStatusCode!: number | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('text', { name: 'skipped_reason', nullable: true })
  skippedReason!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at', precision: 3 })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at', precision: 3 })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'delivered_at', precision: 3, nullable: true })
  deliveredAt!: Date | null;
}
