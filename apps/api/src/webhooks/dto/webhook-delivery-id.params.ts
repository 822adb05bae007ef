import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { WebhookEndpointIdParams } from './webhook-endpoint-id.params';

export class WebhookDeliveryIdParams extends WebhookEndpointIdParams {
  @ApiProperty({
    format: 'uuid',
    example: '9a1e5c3b-7d2f-4b6a-8e1c-2f4d6b8a0c3e',
    description: 'The delivery id, which is also the `webhook-id` header of every attempt',
  })
  @IsUUID()
  deliveryId!: string;
}
