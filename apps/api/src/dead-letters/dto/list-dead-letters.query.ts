import { DEAD_LETTER_STATUSES, type DeadLetterFilter, type DeadLetterStatus } from '@app/dead-letters';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DeadLetterFilterDto } from './dead-letter-filter.dto';
import { PAGE_LIMIT, PageCursor, PageLimit } from '../../validation/page.rules';

export class ListDeadLettersQuery extends DeadLetterFilterDto {
  @ApiPropertyOptional({
    enum: DEAD_LETTER_STATUSES,
    example: 'pending',
    description: 'Only dead letters in this state; every state when omitted (the ledger keeps history)',
  })
  @IsOptional()
  @IsIn(DEAD_LETTER_STATUSES)
  status?: DeadLetterStatus;

  @PageLimit()
  limit: number = PAGE_LIMIT.default;

  @PageCursor('The nextCursor of the previous page (with the same filters)', 1024)
  cursor?: string;

  override toFilter(): DeadLetterFilter {
    return { ...super.toFilter(), status: this.status };
  }
}
