import { InstantQueryParam } from '../../validation/instant.rule';
import { funnelRange, IsFunnelRange, MAX_FUNNEL_DAYS } from '../time-range.rules';

/** `GET /stats/funnel?from=&to=`: a range of at most 31 days, split into hours from `from`. */
export class FunnelQuery {
  @InstantQueryParam(
    'Start (inclusive) and start of the first hour; a date-time with an offset, or a date (midnight UTC). ' +
      'Default: 24 hours before `to`',
    '2026-11-24T00:00:00.000Z',
  )
  @IsFunnelRange()
  from?: string;

  @InstantQueryParam(
    `End (exclusive), after \`from\` and at most ${MAX_FUNNEL_DAYS} days after it. Default: the end of the current hour`,
    '2026-11-25T00:00:00.000Z',
  )
  @IsFunnelRange()
  to?: string;

  range(now = new Date()): { from: Date; to: Date } {
    return funnelRange(this.from, this.to, now);
  }
}
