import { parseDurationMs } from './duration';

describe('parseDurationMs', () => {
  it.each([
    ['24h', 86_400_000],
    ['90m', 5_400_000],
    ['60s', 60_000],
    ['500ms', 500],
    ['2 days', 172_800_000],
    ['60', 60_000],
    [' 3600 ', 3_600_000],
    ['1.5', 1500],
    [1234, 1234],
  ])('when the value is %p, then it is %p ms', (value, expected) => {
    expect(parseDurationMs(value)).toBe(expected);
  });

  it.each(['', 'soon', '-1h', '12 parsecs', undefined, 'x'.repeat(200)])(
    'when the value is %p, then it is NaN (the validation reports it)',
    (value) => {
      expect(parseDurationMs(value)).toBeNaN();
    },
  );
});
