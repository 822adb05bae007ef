import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class UserIdParams {
  @ApiProperty({ format: 'uuid', example: '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f' })
  @IsUUID()
  id!: string;
}
