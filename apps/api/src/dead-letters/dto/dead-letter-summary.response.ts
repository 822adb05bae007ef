import { DEAD_LETTER_STATUSES, type DeadLetter, type DeadLetterStatus } from '@app/dead-letters';
import { ApiProperty } from '@nestjs/swagger';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** A dead letter in a list: what happened and where it stands, without body, headers or stack. */
export class DeadLetterSummaryResponse {
  @ApiProperty({ example: '5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d' })
  messageId!: string;

  @ApiProperty({ example: 'user.registered', description: 'Event type' })
  type!: string;

  @ApiProperty({ example: 'user.registered', description: 'Routing key it was originally published with' })
  routingKey!: string;

  @ApiProperty({ example: 'USER_NOT_FOUND' })
  errorCode!: string;

  @ApiProperty({ example: 'user 0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f does not exist' })
  errorMessage!: string;

  @ApiProperty({ example: 1, description: 'Attempts the worker made before giving up' })
  attempts!: number;

  @ApiProperty({ enum: DEAD_LETTER_STATUSES, example: 'pending' })
  status!: DeadLetterStatus;

  @ApiProperty({ enum: ['worker', 'broker'], example: 'worker' })
  deadLetteredBy!: 'worker' | 'broker';

  @ApiProperty({ type: String, nullable: true, example: 'b3f1c0de-8c0e-4a55-a0f4-7c1d2b9e5f10' })
  requestId!: string | null;

  @ApiProperty({ example: 1, description: 'How often this message was dead-lettered (again after a replay)' })
  timesDeadLettered!: number;

  @ApiProperty({ example: 0 })
  replayCount!: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.123Z' })
  firstFailedAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.123Z' })
  lastFailedAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.456Z' })
  deadLetteredAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  replayedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  discardedAt!: string | null;

  @ApiProperty({
    type: [String],
    example: [],
    description:
      'What had to be escaped or left out to store it at all (a NUL in a header, a body that is not UTF-8…)',
  })
  storageNotes!: string[];

  static from(deadLetter: DeadLetter): DeadLetterSummaryResponse {
    return {
      messageId: deadLetter.messageId,
      type: deadLetter.type,
      routingKey: deadLetter.routingKey,
      errorCode: deadLetter.errorCode,
      errorMessage: deadLetter.errorMessage,
      attempts: deadLetter.attempts,
      status: deadLetter.status,
      deadLetteredBy: deadLetter.deadLetteredBy,
      requestId: deadLetter.requestId,
      timesDeadLettered: deadLetter.timesDeadLettered,
      replayCount: deadLetter.replayCount,
      firstFailedAt: deadLetter.firstFailedAt.toISOString(),
      lastFailedAt: deadLetter.lastFailedAt.toISOString(),
      deadLetteredAt: deadLetter.deadLetteredAt.toISOString(),
      replayedAt: iso(deadLetter.replayedAt),
      discardedAt: iso(deadLetter.discardedAt),
      storageNotes: deadLetter.storageNotes,
    };
  }
}
