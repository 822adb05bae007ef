import { ApiProperty } from '@nestjs/swagger';
import { WebhookEndpointResponse } from './webhook-endpoint.response';

export class WebhookEndpointPageResponse {
  @ApiProperty({ type: [WebhookEndpointResponse] })
  items!: WebhookEndpointResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Pass as `cursor` to get the next page; null on the last page',
  })
  nextCursor!: string | null;
}
