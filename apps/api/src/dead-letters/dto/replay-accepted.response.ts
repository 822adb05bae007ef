import { ApiProperty } from '@nestjs/swagger';

export class ReplayAcceptedResponse {
  @ApiProperty({ example: '5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d' })
  messageId!: string;

  @ApiProperty({
    enum: ['replayed'],
    example: 'replayed',
    description:
      'Queued in the outbox; the worker applies it asynchronously (at most once, by its message id)',
  })
  status!: 'replayed';
}
