import { WEBHOOK_EVENT_TYPES, type WebhookEndpoint, type WebhookEventType } from '@app/webhooks';
import { ApiProperty } from '@nestjs/swagger';

/** An endpoint as the API shows it: never its secret (which is shown once, when it is generated). */
export class WebhookEndpointResponse {
  @ApiProperty({ format: 'uuid', example: '3d6f2b8e-1c4a-4f7e-9b2d-5a8c1e3f7b90' })
  id!: string;

  @ApiProperty({ example: 'https://hooks.example.com/onboarding' })
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['user.registered', 'user.verified'] })
  events!: WebhookEventType[];

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.123Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.123Z' })
  updatedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  secretRotatedAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: null,
    description:
      'Until then, deliveries are signed with the previous secret too (WEBHOOK_SECRET_ROTATION_GRACE)',
  })
  previousSecretExpiresAt!: string | null;

  static from(endpoint: WebhookEndpoint): WebhookEndpointResponse {
    const expires = endpoint.previousSecretExpiresAt;
    return {
      id: endpoint.id,
      url: endpoint.url,
      events: endpoint.events as WebhookEventType[],
      createdAt: endpoint.createdAt.toISOString(),
      updatedAt: endpoint.updatedAt.toISOString(),
      secretRotatedAt: endpoint.secretRotatedAt?.toISOString() ?? null,
      previousSecretExpiresAt: expires && expires > new Date() ? expires.toISOString() : null,
    };
  }
}
