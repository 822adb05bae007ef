import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class WebhookEndpointIdParams {
  @ApiProperty({ format: 'uuid', example: '3d6f2b8e-1c4a-4f7e-9b2d-5a8c1e3f7b90' })
  @IsUUID()
  id!: string;
}
