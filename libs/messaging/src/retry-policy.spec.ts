import { DependencyUnavailableError } from '@app/errors';
import { InvalidMessageError } from './messaging.errors';
import {
  isPermanentFailure,
  jitteredExpirationMs,
  RetryPolicy,
  retryTierDelayMs,
  retryTierDelays,
} from './retry-policy';

const defaults: RetryPolicy = {
  initialDelayMs: 1000,
  factor: 2,
  maxDelayMs: 300_000,
  maxAttempts: 8,
  jitterRatio: 0.2,
};

describe('retry policy', () => {
  it('when the defaults apply, then attempt n waits 1 s · 2^(n-1) before the next one', () => {
    expect([1, 2, 3, 7].map((attempt) => retryTierDelayMs(defaults, attempt))).toEqual([
      1000, 2000, 4000, 64_000,
    ]);
  });

  it('when the growth passes the cap, then the delay stays at the cap', () => {
    expect(retryTierDelayMs({ ...defaults, maxAttempts: 20 }, 15)).toBe(300_000);
  });

  it('when 8 attempts are allowed, then 7 tiers exist, one per distinct delay', () => {
    expect(retryTierDelays(defaults)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]);
    expect(retryTierDelays({ ...defaults, maxDelayMs: 4000 })).toEqual([1000, 2000, 4000]);
    expect(retryTierDelays({ ...defaults, maxAttempts: 1 })).toEqual([]);
  });

  it.each([
    [0, 1000],
    [0.5, 900],
    [1, 800],
  ])(
    'when the random draw is %p, then the expiration is %p ms (never above the tier)',
    (random, expected) => {
      expect(jitteredExpirationMs(defaults, 1000, random)).toBe(expected);
    },
  );

  it('when classifying failures, then only domain errors marked permanent are permanent', () => {
    expect(isPermanentFailure(new InvalidMessageError('bad'))).toBe(true);
    expect(isPermanentFailure(new DependencyUnavailableError('PostgreSQL'))).toBe(false);
    expect(isPermanentFailure(new Error('bug'))).toBe(false);
    expect(isPermanentFailure('thrown string')).toBe(false);
  });
});
