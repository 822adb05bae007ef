import { type DeadLetterDetail, whyNotReplayable } from '@app/dead-letters';
import { ApiProperty } from '@nestjs/swagger';
import { DeadLetterOccurrenceResponse } from './dead-letter-occurrence.response';
import { DeadLetterSummaryResponse } from './dead-letter-summary.response';

/** One dead letter with everything the ledger knows: the message itself, its headers and the error's stack. */
export class DeadLetterResponse extends DeadLetterSummaryResponse {
  @ApiProperty({ example: 'onboarding.events', description: 'Exchange it was originally published to' })
  exchange!: string;

  @ApiProperty({ type: String, nullable: true, example: 'application/json' })
  contentType!: string | null;

  @ApiProperty({
    example: '{"userId":"0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f","registeredAt":"2026-11-24T10:15:30.000Z"}',
    description: 'The message body as UTF-8 text (bytes that are not UTF-8 show as U+FFFD: see bodyBase64)',
  })
  body!: string;

  @ApiProperty({
    example: 'eyJ1c2VySWQiOiIwZjhlM2MyYS01YjFkLTRjN2UtOWE2Zi0yZDRiOGUxYzNhNWYifQ==',
    description: 'The message body exactly as received, base64',
  })
  bodyBase64!: string;

  @ApiProperty({
    nullable: true,
    description: 'The body parsed, when it is JSON; null otherwise',
    example: { userId: '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f', registeredAt: '2026-11-24T10:15:30.000Z' },
  })
  payload!: unknown;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The message's headers, with the failure's (`x-error-code`, `x-attempts`…)",
    example: { 'x-request-id': 'b3f1c0de-8c0e-4a55-a0f4-7c1d2b9e5f10', 'x-error-code': 'USER_NOT_FOUND' },
  })
  headers!: Record<string, unknown>;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'UserNotFoundError: user … does not exist\n    at …',
  })
  errorStack!: string | null;

  @ApiProperty({
    type: [DeadLetterOccurrenceResponse],
    description: 'Every time this message was dead-lettered, oldest first, with the decision taken on each',
  })
  occurrences!: DeadLetterOccurrenceResponse[];

  @ApiProperty({ example: true, description: 'Whether it can be replayed (see replayBlocker otherwise)' })
  replayable!: boolean;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why it cannot be replayed' })
  replayBlocker!: string | null;

  static fromDetail({ deadLetter, occurrences }: DeadLetterDetail): DeadLetterResponse {
    const blocker = whyNotReplayable(deadLetter);
    return {
      ...DeadLetterSummaryResponse.from(deadLetter),
      exchange: deadLetter.exchange,
      contentType: deadLetter.contentType,
      body: deadLetter.body.toString('utf8'),
      bodyBase64: deadLetter.body.toString('base64'),
      occurrences: occurrences.map((occurrence) => DeadLetterOccurrenceResponse.from(occurrence)),
      payload: deadLetter.payload ?? null,
      headers: deadLetter.headers,
      errorStack: deadLetter.errorStack,
      replayable: blocker === undefined,
      replayBlocker: blocker ?? null,
    };
  }
}
