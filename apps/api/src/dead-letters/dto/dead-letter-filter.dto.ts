import type { DeadLetterFilter } from '@app/dead-letters';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';

/** The filters shared by the list and the bulk replay. */
export class DeadLetterFilterDto {
  @ApiPropertyOptional({ example: 'user.registered', description: 'Original routing key, exactly' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  routingKey?: string;

  @ApiPropertyOptional({
    example: 'USER_NOT_FOUND',
    description:
      'Error code: one of the worker (`USER_NOT_FOUND`, `MESSAGE_SCHEMA_INVALID`, `HANDLER_FAILED`…) or, for ' +
      'what the broker dead-lettered, its reason (`EXPIRED`, `DELIVERY_LIMIT`, `REJECTED`)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{0,99}$/, { message: 'errorCode must be an UPPER_SNAKE_CASE code' })
  errorCode?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-24T00:00:00.000Z',
    description: 'Dead-lettered at or after this instant',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-25T00:00:00.000Z',
    description: 'Dead-lettered before this instant',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  toFilter(): Omit<DeadLetterFilter, 'status'> {
    return {
      routingKey: this.routingKey,
      errorCode: this.errorCode,
      from: this.from === undefined ? undefined : new Date(this.from),
      to: this.to === undefined ? undefined : new Date(this.to),
    };
  }
}
