import { DEAD_LETTER_STATUSES, type DeadLetterStatus } from '@app/dead-letters';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { InstantQueryParam, parseInstant } from '../../validation/instant.rule';

/** `GET /dead-letters/groups?status=&from=&to=`. */
export class DeadLetterGroupsQuery {
  @ApiPropertyOptional({
    enum: DEAD_LETTER_STATUSES,
    default: 'pending',
    description: 'Only dead letters in this state (those waiting for a decision by default)',
  })
  @IsOptional()
  @IsIn(DEAD_LETTER_STATUSES)
  status: DeadLetterStatus = 'pending';

  @InstantQueryParam(
    'Dead-lettered at or after this instant (a date-time with an offset, or a date)',
    '2026-11-24T00:00:00.000Z',
  )
  from?: string;

  @InstantQueryParam('Dead-lettered before this instant', '2026-11-25T00:00:00.000Z')
  to?: string;

  range(): { from?: Date; to?: Date } {
    return { from: parseInstant(this.from), to: parseInstant(this.to) };
  }
}
