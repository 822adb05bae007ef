import { USER_STATUSES, type UserListFilter, type UserStatus } from '@app/users';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsInstant, parseInstant } from '../../validation/instant.rule';

export class ListUsersQuery {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (pass the same filters with it)' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
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

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-24T00:00:00.000Z',
    description: 'Created at or after this instant: a date or a date-time with an offset',
  })
  @IsOptional()
  @IsInstant()
  createdFrom?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-25T00:00:00.000Z',
    description: 'Created before this instant: a date or a date-time with an offset',
  })
  @IsOptional()
  @IsInstant()
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
