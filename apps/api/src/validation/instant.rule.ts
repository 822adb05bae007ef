import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, registerDecorator, ValidationArguments } from 'class-validator';

/**
 * A date (`2026-11-24`, midnight UTC) or a date-time with its offset (`2026-11-24T10:00:00Z`,
 * `…T10:00+05:30`). ISO 8601 also allows week dates, ordinal dates and times without an offset, which JavaScript
 * cannot parse or would read in the server's time zone: those are refused rather than guessed.
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/i;

/** The instant a valid query value names; undefined for anything {@link IsInstant} refuses. */
export function parseInstant(value: unknown): Date | undefined {
  const parts = typeof value === 'string' ? INSTANT.exec(value) : null;
  if (!parts) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = parts
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  // JavaScript rolls 2026-02-30 over into March; a calendar date must name itself.
  const calendar = new Date(Date.UTC(year!, month! - 1, day));
  const valid =
    calendar.getUTCMonth() === month! - 1 &&
    calendar.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    offsetHours < 24 &&
    offsetMinutes < 60;
  const date = new Date(value as string);
  return valid && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** A query parameter that is an instant (see {@link parseInstant}); code `isInstant`. */
export function IsInstant(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: ({ property }: ValidationArguments) =>
          `${property} must be a date (2026-11-24) or a date-time with an offset (2026-11-24T10:00:00Z)`,
      },
      validator: { validate: (value: unknown) => parseInstant(value) !== undefined },
    });
}

/** An optional time filter of a query: documented as a date-time with `example`, validated by {@link IsInstant}. */
export function InstantQueryParam(description: string, example: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ format: 'date-time', example, description }),
    IsOptional(),
    IsInstant(),
  );
}
