import {
  WEBHOOK_ATTEMPT_OUTCOMES,
  type WebhookAttemptOutcome,
  type WebhookDeliveryAttempt,
} from '@app/webhooks';
import { ApiProperty } from '@nestjs/swagger';

/** One HTTP attempt of a delivery. */
export class WebhookAttemptResponse {
  @ApiProperty({ example: 1, description: '1, 2, … over the delivery’s life, redeliveries included' })
  attempt!: number;

  @ApiProperty({
    enum: WEBHOOK_ATTEMPT_OUTCOMES,
    example: 'delivered',
    description: 'delivered (2xx); retrying (transient failure, a retry follows); failed (for good)',
  })
  outcome!: WebhookAttemptOutcome;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 200,
    description: 'The endpoint’s status; null without an answer (timeout, connection error)',
  })
  statusCode!: number | null;

  @ApiProperty({ example: 42 })
  durationMs!: number;

  @ApiProperty({ type: String, nullable: true, example: null })
  error!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:31.456Z' })
  startedAt!: string;

  static from(attempt: WebhookDeliveryAttempt): WebhookAttemptResponse {
    return {
      attempt: attempt.attempt,
      outcome: attempt.outcome,
      statusCode: attempt.statusCode,
      durationMs: attempt.durationMs,
      error: attempt.error,
      startedAt: attempt.startedAt.toISOString(),
    };
  }
}
