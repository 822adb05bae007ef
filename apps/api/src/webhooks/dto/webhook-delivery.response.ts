import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type WebhookDeliveryStatus,
  type WebhookDeliveryWithAttempts,
  type WebhookEventType,
} from '@app/webhooks';
import { ApiProperty } from '@nestjs/swagger';
import { WebhookAttemptResponse } from './webhook-attempt.response';

/** One event for one endpoint, with its attempts, newest first. */
export class WebhookDeliveryResponse {
  @ApiProperty({
    format: 'uuid',
    example: '9a1e5c3b-7d2f-4b6a-8e1c-2f4d6b8a0c3e',
    description: 'Also the `webhook-id` header of every attempt (receivers deduplicate on it)',
  })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '3d6f2b8e-1c4a-4f7e-9b2d-5a8c1e3f7b90' })
  endpointId!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, example: 'user.registered' })
  eventType!: WebhookEventType;

  @ApiProperty({ example: '5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d', description: 'The event’s message id' })
  eventId!: string;

  @ApiProperty({ format: 'uuid', example: '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f' })
  userId!: string;

  @ApiProperty({
    enum: WEBHOOK_DELIVERY_STATUSES,
    example: 'delivered',
    description:
      'pending (on its way or waiting for a retry), delivered, failed (for good), skipped (a recorded no-op)',
  })
  status!: WebhookDeliveryStatus;

  @ApiProperty({ example: 1 })
  attemptCount!: number;

  @ApiProperty({ type: Number, nullable: true, example: 200 })
  lastStatusCode!: number | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  lastError!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why it was skipped' })
  skippedReason!: string | null;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-24T10:15:30.123Z',
    description: 'When the event happened',
  })
  occurredAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.456Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:31.500Z' })
  updatedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-24T10:15:31.500Z' })
  deliveredAt!: string | null;

  @ApiProperty({ type: [WebhookAttemptResponse], description: 'Newest first (at most 50)' })
  attempts!: WebhookAttemptResponse[];

  static from({ delivery, attempts }: WebhookDeliveryWithAttempts): WebhookDeliveryResponse {
    return {
      id: delivery.id,
      endpointId: delivery.endpointId,
      eventType: delivery.eventType as WebhookEventType,
      eventId: delivery.eventMessageId,
      userId: delivery.userId,
      status: delivery.status,
      attemptCount: delivery.attempts,
      lastStatusCode: delivery.lastStatusCode,
      lastError: delivery.lastError,
      skippedReason: delivery.skippedReason,
      occurredAt: delivery.occurredAt.toISOString(),
      createdAt: delivery.createdAt.toISOString(),
      updatedAt: delivery.updatedAt.toISOString(),
      deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
      attempts: attempts.map((attempt) => WebhookAttemptResponse.from(attempt)),
    };
  }
}
