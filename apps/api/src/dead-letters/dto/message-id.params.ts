import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class MessageIdParams {
  @ApiProperty({
    example: '5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d',
    description: 'The message id (URL-encoded); `sha256:…` for a message that had none',
  })
  @IsString()
  @Length(1, 255)
  messageId!: string;
}
