import { ApiProperty } from '@nestjs/swagger';

export class BulkReplayResponse {
  @ApiProperty({ example: false, description: 'True when nothing was changed' })
  dryRun!: boolean;

  @ApiProperty({ example: 2, description: 'Dead letters replayed (or that would be, in a dry run)' })
  count!: number;

  @ApiProperty({
    type: [String],
    example: ['5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d', '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a'],
    description: 'Their message ids, oldest dead letter first',
  })
  messageIds!: string[];
}
