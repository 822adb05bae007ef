import { Column, Entity, PrimaryColumn } from 'typeorm';

export const WEBHOOK_ATTEMPT_OUTCOMES = ['delivered', 'retrying', 'failed'] as const;
/** delivered: 2xx; retrying: a transient failure with a retry to come; failed: permanent, or the last attempt. */
export type WebhookAttemptOutcome = (typeof WEBHOOK_ATTEMPT_OUTCOMES)[number];

/** One HTTP attempt of a delivery, failed ones included: the delivery log. */
@Entity({ name: 'webhook_delivery_attempts' })
export class WebhookDeliveryAttempt {
  @PrimaryColumn('uuid', { name: 'delivery_id' })
  deliveryId!: string;

  /** 1, 2, … over the delivery's whole life, redeliveries included. */
  @PrimaryColumn('integer')
  attempt!: number;

  @Column('text', { name: 'step_message_id' })
  stepMessageId!: string;

  @Column('text')
  outcome!: WebhookAttemptOutcome;

  /** The endpoint's HTTP status; null when there was no answer (timeout, connection error, refused address). */
  @Column('integer', { name: 'status_code', nullable: true })
  statusCode!: number | null;

  @Column('text', { nullable: true })
  error!: string | null;

  @Column('integer', { name: 'duration_ms' })
  durationMs!: number;

  @Column({ type: 'timestamptz', name: 'started_at', precision: 3 })
  startedAt!: Date;
}
