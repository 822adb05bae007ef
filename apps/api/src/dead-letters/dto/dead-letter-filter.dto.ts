import type { DeadLetterFilter } from '@app/dead-letters';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { InstantQueryParam, parseInstant } from '../../validation/instant.rule';

/** The filters shared by the list and the bulk replay. */
export class DeadLetterFilterDto {
  @ApiPropertyOptional({ example: 'user.registered', description: 'Original routing key, exactly' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  routingKey?: string;

  @ApiPropertyOptional({
    example: 'onboarding.step.send-verification-email',
    description:
      'The queue it failed in, exactly: which onboarding step gave up on it (`<prefix>.step.<step>`). Steps can ' +
      'share a routing key (every step started by `user.registered`), so this is what tells their letters apart',
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  queue?: string;

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

  @InstantQueryParam('Dead-lettered at or after this instant', '2026-11-24T00:00:00.000Z')
  from?: string;

  @InstantQueryParam('Dead-lettered before this instant', '2026-11-25T00:00:00.000Z')
  to?: string;

  toFilter(): Omit<DeadLetterFilter, 'status'> {
    return {
      routingKey: this.routingKey,
      queue: this.queue,
      errorCode: this.errorCode,
      from: parseInstant(this.from),
      to: parseInstant(this.to),
    };
  }
}
