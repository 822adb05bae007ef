import { DEAD_LETTER_STATUSES, type DeadLetterFilter, type DeadLetterStatus } from '@app/dead-letters';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DeadLetterFilterDto } from './dead-letter-filter.dto';

export class ListDeadLettersQuery extends DeadLetterFilterDto {
  @ApiPropertyOptional({
    enum: DEAD_LETTER_STATUSES,
    example: 'pending',
    description: 'Only dead letters in this state; every state when omitted (the ledger keeps history)',
  })
  @IsOptional()
  @IsIn(DEAD_LETTER_STATUSES)
  status?: DeadLetterStatus;

  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (with the same filters)' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  cursor?: string;

  override toFilter(): DeadLetterFilter {
    return { ...super.toFilter(), status: this.status };
  }
}
