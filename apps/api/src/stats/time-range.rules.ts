import { registerDecorator, ValidationArguments } from 'class-validator';
import { parseInstant } from '../validation/instant.rule';

const HOUR_MS = 3_600_000;

/** The longest range the funnel answers for: 31 days of hours (744 buckets). */
export const MAX_FUNNEL_DAYS = 31;
export const MAX_FUNNEL_MS = MAX_FUNNEL_DAYS * 24 * HOUR_MS;
/** The range when none is given: the 24 hours up to the end of the current hour. */
export const DEFAULT_FUNNEL_MS = 24 * HOUR_MS;

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
 * bound that is not an instant is reported by `IsInstant` alone.
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
