import ms from 'ms';

const PLAIN_SECONDS = /^\d+(\.\d+)?$/;

/**
 * A duration variable in milliseconds: a number with a unit as the `ms` package reads it (`24h`, `90m`, `60s`,
 * `500ms`, `2 days`), or a plain number, which counts seconds (the unit an operator expects of a TTL). A number
 * already (a default) passes through. Anything else, a negative duration included, gives NaN, which the
 * variable's validation reports.
 */
export function parseDurationMs(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  const text = value.trim();
  if (PLAIN_SECONDS.test(text)) return Math.round(Number(text) * 1000);
  // ms() returns undefined for what it cannot read; it never throws on a string shorter than 100 characters.
  const parsed =
    text.length > 0 && text.length < 100 ? (ms(text as ms.StringValue) as number | undefined) : undefined;
  return parsed === undefined || parsed < 0 ? Number.NaN : Math.round(parsed);
}
