import { parseInstant } from '../validation/instant.rule';
import { endOfHour, funnelRange, funnelRangeProblem } from './time-range.rules';

describe('time range rules', () => {
  it.each([
    ['2026-11-24', '2026-11-24T00:00:00.000Z'],
    ['2026-11-24T10:00Z', '2026-11-24T10:00:00.000Z'],
    ['2026-11-24T10:00:30.5+05:30', '2026-11-24T04:30:30.500Z'],
    ['2024-02-29T23:59:59.999999999-01:00', '2024-03-01T00:59:59.999Z'],
  ])('when %p is parsed, then it is the instant %p', (value, iso) => {
    expect(parseInstant(value)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-W48-1',
    '2026-330',
    '2026-11-24T10:00:00',
    '2026-11-24 10:00Z',
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-11-24T24:00Z',
    '2026-11-24T10:60Z',
    '2026-11-24T10:00+24:00',
    'yesterday',
    '',
  ])('when %p is parsed, then it is refused', (value) => {
    expect(parseInstant(value)).toBeUndefined();
  });

  it('when no bound is given, then the range is the 24 hours up to the end of the current hour', () => {
    const now = new Date('2026-11-24T10:17:03.120Z');
    expect(endOfHour(now).toISOString()).toBe('2026-11-24T11:00:00.000Z');
    expect(funnelRange(undefined, undefined, now)).toEqual({
      from: new Date('2026-11-23T11:00:00.000Z'),
      to: new Date('2026-11-24T11:00:00.000Z'),
    });
    expect(funnelRange(undefined, '2026-11-24T10:00:00Z', now).from.toISOString()).toBe(
      '2026-11-23T10:00:00.000Z',
    );
  });

  it('when a range is empty, reversed or longer than 31 days, then it is refused with the reason', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    expect(funnelRangeProblem(from, from)).toBe('from must be before to');
    expect(funnelRangeProblem(from, new Date('2026-02-01T00:00:00Z'))).toBeUndefined();
    expect(funnelRangeProblem(from, new Date('2026-02-01T00:00:00.001Z'))).toMatch(/over 31 days/);
  });
});
