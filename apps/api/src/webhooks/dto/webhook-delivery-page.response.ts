import { ApiProperty } from '@nestjs/swagger';
import { WebhookDeliveryResponse } from './webhook-delivery.response';

export class WebhookDeliveryPageResponse {
  @ApiProperty({ type: [WebhookDeliveryResponse] })
  items!: WebhookDeliveryResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Pass as `cursor` to get the next (older) page; null on the last page',
  })
  nextCursor!: string | null;
}
