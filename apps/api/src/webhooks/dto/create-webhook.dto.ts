import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@app/webhooks';
import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  IsUrl,
  MaxLength,
} from 'class-validator';

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://hooks.example.com/onboarding',
    maxLength: 2048,
    description:
      'Where deliveries are POSTed. `https` only, without credentials, on a public address (checked now and ' +
      'at every delivery) unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is set',
  })
  @IsString()
  @MaxLength(2048)
  @IsUrl(
    { require_protocol: true, protocols: ['http', 'https'], require_tld: false, allow_underscores: true },
    { message: 'url must be an absolute http(s) URL' },
  )
  url!: string;

  @ApiProperty({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    example: ['user.registered', 'user.verified'],
    description: 'The event types to receive (at least one, each once)',
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events!: WebhookEventType[];
}
