import { PreparedStatement, queryPrepared } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, In, Repository } from 'typeorm';
import type { WebhookCursor } from './webhook-cursor';
import { WebhookAttemptOutcome, WebhookDeliveryAttempt } from './webhook-delivery-attempt.entity';
import { WebhookDelivery, type WebhookDeliveryStatus } from './webhook-delivery.entity';

export type NewWebhookDelivery = Pick<
  WebhookDelivery,
  | 'id'
  | 'endpointId'
  | 'userId'
  | 'eventType'
  | 'eventMessageId'
  | 'eventPayload'
  | 'occurredAt'
  | 'stepMessageId'
>;

/** One attempt, as the delivery step records it. */
export interface RecordedAttempt {
  deliveryId: string;
  stepMessageId: string;
  outcome: WebhookAttemptOutcome;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  startedAt: Date;
}

/** A delivery with its attempts, newest first (at most {@link ATTEMPTS_SHOWN}). */
export interface WebhookDeliveryWithAttempts {
  delivery: WebhookDelivery;
  attempts: WebhookDeliveryAttempt[];
}

/** Attempts listed per delivery in the log (a delivery has at most a few dozen; this bounds a pathology). */
export const ATTEMPTS_SHOWN = 50;

const STATUS_OF_OUTCOME: Record<WebhookAttemptOutcome, WebhookDeliveryStatus> = {
  delivered: 'delivered',
  retrying: 'pending',
  failed: 'failed',
};

const INSERT_SQL = PreparedStatement.define(
  'webhook-deliveries.insert',
  `INSERT INTO webhook_deliveries (id, endpoint_id, user_id, event_type, event_message_id, event_payload,
    occurred_at, status, step_message_id)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, 'pending', $8)
  ON CONFLICT (endpoint_id, event_message_id) DO NOTHING RETURNING id`,
);

const RECORD_ATTEMPT_SQL = PreparedStatement.define(
  'webhook-deliveries.recordAttempt',
  `UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, last_status_code = $3, last_error = $4,
    delivered_at = CASE WHEN $2 = 'delivered' THEN clock_timestamp() ELSE delivered_at END,
    updated_at = clock_timestamp()
  WHERE id = $1 RETURNING attempts`,
);

const RECORD_ATTEMPT_2_SQL = PreparedStatement.define(
  'webhook-deliveries.recordAttempt.2',
  `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, step_message_id, outcome, status_code, error,
    duration_ms, started_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
);

const MARK_SKIPPED_SQL = PreparedStatement.define(
  'webhook-deliveries.markSkipped',
  `UPDATE webhook_deliveries SET status = 'skipped', skipped_reason = $2, updated_at = clock_timestamp()
  WHERE id = $1 AND status <> 'delivered'`,
);

const SKIP_PENDING_OF_ENDPOINT_SQL = PreparedStatement.define(
  'webhook-deliveries.skipPendingOfEndpoint',
  `UPDATE webhook_deliveries SET status = 'skipped', skipped_reason = $2, updated_at = clock_timestamp()
  WHERE endpoint_id = $1 AND status = 'pending'`,
);

const MARK_FAILED_SQL = PreparedStatement.define(
  'webhook-deliveries.markFailed',
  `UPDATE webhook_deliveries SET status = 'failed', last_error = $2,
    updated_at = clock_timestamp()
  WHERE id = $1 AND status = 'pending'`,
);

const MARK_REDELIVERING_SQL = PreparedStatement.define(
  'webhook-deliveries.markRedelivering',
  `UPDATE webhook_deliveries SET status = 'pending', step_message_id = $2, skipped_reason = NULL,
    updated_at = clock_timestamp()
  WHERE id = $1`,
);

/** Persistence of deliveries and their attempts (the delivery log). Writes run in the caller's transaction. */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @InjectRepository(WebhookDeliveryAttempt) private readonly attempts: Repository<WebhookDeliveryAttempt>,
  ) {}

  /** @returns false when the endpoint has a delivery of this event already */
  async insert(manager: EntityManager, delivery: NewWebhookDelivery): Promise<boolean> {
    const rows: unknown[] = await queryPrepared(manager, INSERT_SQL, [
      delivery.id,
      delivery.endpointId,
      delivery.userId,
      delivery.eventType,
      delivery.eventMessageId,
      JSON.stringify(delivery.eventPayload),
      delivery.occurredAt,
      delivery.stepMessageId,
    ]);
    return rows.length === 1;
  }

  /** The delivery, locked for the caller's transaction. */
  lock(manager: EntityManager, id: string): Promise<WebhookDelivery | null> {
    return manager.findOne(WebhookDelivery, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findOfEndpoint(endpointId: string, id: string): Promise<WebhookDelivery | null> {
    return this.deliveries.findOneBy({ id, endpointId });
  }

  /** An endpoint's deliveries before `after`, newest first, each with its latest attempts. */
  async findPage(
    endpointId: string,
    limit: number,
    after?: WebhookCursor,
  ): Promise<WebhookDeliveryWithAttempts[]> {
    const query = this.deliveries
      .createQueryBuilder('delivery')
      .where('delivery.endpointId = :endpointId', { endpointId })
      .orderBy('delivery.createdAt', 'DESC')
      .addOrderBy('delivery.id', 'DESC');
    if (after) {
      query.andWhere(
        new Brackets((where) =>
          where
            .where('delivery.createdAt < :createdAt', { createdAt: after.createdAt })
            .orWhere('(delivery.createdAt = :createdAt AND delivery.id < :id)', { id: after.id }),
        ),
      );
    }
    const deliveries = await query.take(limit).getMany();
    return this.withAttempts(deliveries);
  }

  async withAttempts(deliveries: WebhookDelivery[]): Promise<WebhookDeliveryWithAttempts[]> {
    if (deliveries.length === 0) return [];
    const attempts = await this.attempts.find({
      where: { deliveryId: In(deliveries.map((delivery) => delivery.id)) },
      order: { attempt: 'DESC' },
    });
    return deliveries.map((delivery) => ({
      delivery,
      attempts: attempts.filter((attempt) => attempt.deliveryId === delivery.id).slice(0, ATTEMPTS_SHOWN),
    }));
  }

  /** Numbers the attempt, adds it to the log, and updates the delivery. @returns the attempt number */
  async recordAttempt(manager: EntityManager, attempt: RecordedAttempt): Promise<number> {
    const [rows]: [{ attempts: number }[], number] = await queryPrepared(manager, RECORD_ATTEMPT_SQL, [
      attempt.deliveryId,
      STATUS_OF_OUTCOME[attempt.outcome],
      attempt.statusCode,
      attempt.error,
    ]);
    const number = rows[0]?.attempts;
    if (number === undefined) return 0;
    await queryPrepared(manager, RECORD_ATTEMPT_2_SQL, [
      attempt.deliveryId,
      number,
      attempt.stepMessageId,
      attempt.outcome,
      attempt.statusCode,
      attempt.error,
      attempt.durationMs,
      attempt.startedAt,
    ]);
    return number;
  }

  /** A recorded no-op: it will not be sent (unless redelivered). */
  async markSkipped(manager: EntityManager, id: string, reason: string): Promise<void> {
    await queryPrepared(manager, MARK_SKIPPED_SQL, [id, reason]);
  }

  /** Every pending delivery of an endpoint becomes a recorded no-op (the endpoint is being deleted). */
  async skipPendingOfEndpoint(manager: EntityManager, endpointId: string, reason: string): Promise<number> {
    const [, count]: [unknown[], number] = await queryPrepared(manager, SKIP_PENDING_OF_ENDPOINT_SQL, [
      endpointId,
      reason,
    ]);
    return count;
  }

  /** Its step message was dead-lettered: failed for good, unless it got through after all. */
  async markFailed(manager: EntityManager, id: string, error: string): Promise<boolean> {
    const [, count]: [unknown[], number] = await queryPrepared(manager, MARK_FAILED_SQL, [id, error]);
    return count > 0;
  }

  /** Pending again, run by a new step message (a redelivery). */
  async markRedelivering(
    manager: EntityManager,
    id: string,
    stepMessageId: string,
  ): Promise<WebhookDelivery> {
    await queryPrepared(manager, MARK_REDELIVERING_SQL, [id, stepMessageId]);
    return manager.findOneByOrFail(WebhookDelivery, { id });
  }
}
