import { registerDecorator, ValidationArguments } from 'class-validator';

const HOUR_MS = 3_600_000;

/** The longest range the funnel answers for: 31 days of hours (744 buckets). */
export const MAX_FUNNEL_DAYS = 31;
export const MAX_FUNNEL_MS = MAX_FUNNEL_DAYS * 24 * HOUR_MS;
/** The range when none is given: the 24 hours up to the end of the current hour. */
export const DEFAULT_FUNNEL_MS = 24 * HOUR_MS;

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

/** The end of the hour `now` is in (a whole hour in UTC, hence in every zone with a whole-hour offset). */
export const endOfHour = (now: Date): Date =>
  new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);

/** The funnel's range: `to` defaults to the end of the current hour, `from` to 24 hours before `to`. */
export function funnelRange(
  from: string | undefined,
  to: string | undefined,
  now: Date,
): { from: Date; to: Date } {
  const end = to === undefined ? endOfHour(now) : parseInstant(to);
  const start = from === undefined ? undefined : parseInstant(from);
  if (!end || (from !== undefined && !start)) throw new Error('funnelRange: validate the query first');
  return { from: start ?? new Date(end.getTime() - DEFAULT_FUNNEL_MS), to: end };
}

/** Why a funnel range is refused, if it is: empty or reversed, or longer than {@link MAX_FUNNEL_DAYS}. */
export function funnelRangeProblem(from: Date, to: Date): string | undefined {
  if (from.getTime() >= to.getTime()) return 'from must be before to';
  if (to.getTime() - from.getTime() > MAX_FUNNEL_MS)
    return `the range from ${from.toISOString()} to ${to.toISOString()} is over ${MAX_FUNNEL_DAYS} days`;
  return undefined;
}

/**
 * The funnel's range rule (code `funnelRange`), on both `from` and `to` so that it runs whichever is given and is
 * reported once: on `to` when it is given, else on `from` (whose `to` is then the end of the current hour). A
 * bound that is not an instant is reported by {@link IsInstant} alone.
 */
export function IsFunnelRange(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'funnelRange',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: ({ object }: ValidationArguments) => {
          const { from, to } = object as { from?: string; to?: string };
          const range = funnelRange(from, to, new Date());
          return funnelRangeProblem(range.from, range.to) ?? 'the range is invalid';
        },
      },
      validator: {
        validate: (_value: unknown, { object, property }: ValidationArguments) => {
          const { from, to } = object as { from?: string; to?: string };
          if (property === 'from' && to !== undefined) return true;
          const unparsable = [from, to].some((bound) => bound !== undefined && !parseInstant(bound));
          if (unparsable) return true;
          const range = funnelRange(from, to, new Date());
          return funnelRangeProblem(range.from, range.to) === undefined;
        },
      },
    });
}
