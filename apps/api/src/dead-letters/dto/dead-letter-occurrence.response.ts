import type { DeadLetterOccurrence, OccurrenceResolution } from '@app/dead-letters';
import { ApiProperty } from '@nestjs/swagger';

/** One time the message was dead-lettered, and what an operator decided about it. */
export class DeadLetterOccurrenceResponse {
  @ApiProperty({ example: '9f2c…', description: 'Identifies this dead-lettering (the same on a redelivery)' })
  occurrenceId!: string;

  @ApiProperty({ example: 'HANDLER_FAILED' })
  errorCode!: string;

  @ApiProperty({ example: 'provisioning is down' })
  errorMessage!: string;

  @ApiProperty({ example: 8 })
  attempts!: number;

  @ApiProperty({ enum: ['worker', 'broker'], example: 'worker' })
  deadLetteredBy!: 'worker' | 'broker';

  @ApiProperty({ example: '2026-11-24T10:16:30.000Z' })
  deadLetteredAt!: string;

  @ApiProperty({
    enum: ['replayed', 'discarded'],
    nullable: true,
    example: 'replayed',
    description: 'The decision taken on this occurrence; null for the one still pending',
  })
  resolution!: OccurrenceResolution | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-24T10:20:00.000Z' })
  resolvedAt!: string | null;

  static from(occurrence: DeadLetterOccurrence): DeadLetterOccurrenceResponse {
    return {
      occurrenceId: occurrence.occurrenceId,
      errorCode: occurrence.errorCode,
      errorMessage: occurrence.errorMessage,
      attempts: occurrence.attempts,
      deadLetteredBy: occurrence.deadLetteredBy,
      deadLetteredAt: occurrence.deadLetteredAt.toISOString(),
      resolution: occurrence.resolution,
      resolvedAt: occurrence.resolvedAt?.toISOString() ?? null,
    };
  }
}
