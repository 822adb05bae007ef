import { exponentialBackoff } from './backoff';

const options = { initialMs: 100, maxMs: 5_000, factor: 3 };
// min(maxMs, initialMs * factor^n) for n = 0..5
const CEILINGS = [100, 300, 900, 2_700, 5_000, 5_000];

describe('exponentialBackoff', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('when random is at its lowest, then each delay is half its ceiling', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const backoff = exponentialBackoff(options);

    const delays = CEILINGS.map(() => backoff.next());

    expect(delays).toEqual(CEILINGS.map((ceiling) => ceiling / 2));
  });

  it('when random is at its highest, then each delay is its full ceiling, capped at maxMs', () => {
    jest.spyOn(Math, 'random').mockReturnValue(1);
    const backoff = exponentialBackoff(options);

    const delays = CEILINGS.map(() => backoff.next());

    expect(delays).toEqual(CEILINGS);
  });

  it('when random varies, then every delay lies within [ceiling / 2, ceiling]', () => {
    const backoff = exponentialBackoff(options);

    const delays = Array.from({ length: 200 }, () => backoff.next());

    delays.forEach((delay, attempt) => {
      const ceiling = Math.min(options.maxMs, options.initialMs * options.factor ** attempt);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    });
  });

  it('when no factor is given, then the ceiling doubles', () => {
    jest.spyOn(Math, 'random').mockReturnValue(1);
    const backoff = exponentialBackoff({ initialMs: 200, maxMs: 10_000 });

    const delays = Array.from({ length: 4 }, () => backoff.next());

    expect(delays).toEqual([200, 400, 800, 1_600]);
  });

  it('when reset, then the next delay starts again from the initial ceiling', () => {
    jest.spyOn(Math, 'random').mockReturnValue(1);
    const backoff = exponentialBackoff(options);
    CEILINGS.forEach(() => backoff.next());

    backoff.reset();
    const afterReset = [backoff.next(), backoff.next()];

    expect(afterReset).toEqual([100, 300]);
  });
});
