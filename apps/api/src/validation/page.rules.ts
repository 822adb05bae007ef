import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** The items per page of a list: 1 to 100, 20 when omitted (the property's initialiser). */
export const PAGE_LIMIT = { default: 20, max: 100 } as const;

/** `limit` of a paginated list query: an integer from 1 to {@link PAGE_LIMIT}.max. */
export function PageLimit(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: Number, minimum: 1, maximum: PAGE_LIMIT.max, default: PAGE_LIMIT.default }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(PAGE_LIMIT.max),
  );
}

/** `cursor` of a paginated list query: the `nextCursor` of the previous page, opaque, at most `maxLength` long. */
export function PageCursor(description: string, maxLength: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description }),
    IsOptional(),
    IsString(),
    MaxLength(maxLength),
  );
}
