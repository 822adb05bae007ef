import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { DeadLetterFilterDto } from './dead-letter-filter.dto';

/** Bulk replay: pending, replayable dead letters matching the filters, oldest first. */
export class ReplayDeadLettersDto extends DeadLetterFilterDto {
  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: 1000,
    default: 100,
    description: 'At most this many are replayed',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Only list what would be replayed; change nothing',
  })
  @IsOptional()
  @IsBoolean()
  dryRun = false;
}
