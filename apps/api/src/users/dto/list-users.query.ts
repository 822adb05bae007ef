import { USER_STATUSES, type UserListFilter, type UserStatus } from '@app/users';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { InstantQueryParam, parseInstant } from '../../validation/instant.rule';
import { PAGE_LIMIT, PageCursor, PageLimit } from '../../validation/page.rules';

export class ListUsersQuery {
  @PageLimit()
  limit: number = PAGE_LIMIT.default;

  @PageCursor('The nextCursor of the previous page (pass the same filters with it)', 512)
  cursor?: string;

  @ApiPropertyOptional({ enum: USER_STATUSES, example: 'pending_verification' })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;

  @ApiPropertyOptional({
    example: 'ada@example.com',
    description: 'Exactly this email, trimmed and compared regardless of case (as at registration)',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string;

  @InstantQueryParam(
    'Created at or after this instant: a date or a date-time with an offset',
    '2026-11-24T00:00:00.000Z',
  )
  createdFrom?: string;

  @InstantQueryParam(
    'Created before this instant: a date or a date-time with an offset',
    '2026-11-25T00:00:00.000Z',
  )
  createdTo?: string;

  toFilter(): UserListFilter {
    return {
      status: this.status,
      email: this.email,
      createdFrom: parseInstant(this.createdFrom),
      createdTo: parseInstant(this.createdTo),
    };
  }
}
