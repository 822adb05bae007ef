import { DependencyUnavailableError } from '@app/errors';
import { InvalidMessageError } from '../messaging.errors';
import { decideFailure, FailureDecision, isPermanentFailure } from './failure-decision';
import { jitteredExpirationMs, policyDelays, retryDelayMs, RetryPolicyOptions } from './retry-policy';
import { RetryTiers } from './retry-tiers';

const defaults: RetryPolicyOptions = {
  initialDelayMs: 1000,
  factor: 2,
  maxDelayMs: 300_000,
  maxAttempts: 8,
  jitterRatio: 0.2,
};

describe('retry policy', () => {
  it('when the defaults apply, then attempt n waits 1 s · 2^(n-1) before the next one', () => {
    expect([1, 2, 3, 7].map((attempt) => retryDelayMs(defaults, attempt))).toEqual([
      1000, 2000, 4000, 64_000,
    ]);
  });

  it('when the growth passes the cap, then the delay stays at the cap', () => {
    expect(retryDelayMs({ ...defaults, maxAttempts: 20 }, 15)).toBe(300_000);
  });

  it('when 8 attempts are allowed, then 7 delays exist, one per distinct wait', () => {
    expect(policyDelays(defaults)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]);
    expect(policyDelays({ ...defaults, maxDelayMs: 4000 })).toEqual([1000, 2000, 4000]);
    expect(policyDelays({ ...defaults, maxAttempts: 1 })).toEqual([]);
  });

  it.each([
    [0, 1000],
    [0.5, 900],
    [1, 800],
  ])(
    'when the random draw is %p, then the expiration is %p ms (never above the tier)',
    (random, expected) => {
      expect(jitteredExpirationMs(0.2, 1000, random)).toBe(expected);
    },
  );
});

describe('retry tiers', () => {
  const tiers = RetryTiers.fromPolicies([defaults, { ...defaults, factor: 3, maxAttempts: 4 }]);

  it('when several policies apply, then there is one tier per distinct delay of any of them', () => {
    expect(tiers.delaysMs).toEqual([1000, 2000, 3000, 4000, 8000, 9000, 16_000, 32_000, 64_000]);
  });

  it.each([
    [1000, 1000],
    [2500, 3000],
    [64_000, 64_000],
    [600_000, 64_000],
    [1, 1000],
  ])('when a retry must wait %p ms, then it waits in the %p ms tier', (wait, tier) => {
    expect(tiers.pick(wait)).toBe(tier);
  });
});

describe('decideFailure', () => {
  const noOutage = [] as const;

  it('when classifying failures, then only domain errors marked permanent are permanent', () => {
    expect(isPermanentFailure(new InvalidMessageError('bad'))).toBe(true);
    expect(isPermanentFailure(new DependencyUnavailableError('PostgreSQL'))).toBe(false);
    expect(isPermanentFailure(new Error('bug'))).toBe(false);
    expect(isPermanentFailure('thrown string')).toBe(false);
  });

  it('when a transient failure has attempts left, then it is retried after the policy wait, with its jitter', () => {
    const decision = decideFailure(new Error('bug'), 3, defaults, noOutage);

    expect(decision.action).toEqual({ kind: 'retry', delayMs: 4000, jitterRatio: 0.2 });
    expect(decision.code).toBe('HANDLER_FAILED');
  });

  it('when the last attempt fails, or the failure is permanent, then it is dead-lettered', () => {
    expect(decideFailure(new Error('bug'), 8, defaults, noOutage).action).toEqual({ kind: 'dead-letter' });
    expect(decideFailure(new InvalidMessageError('bad'), 1, defaults, noOutage).action).toEqual({
      kind: 'dead-letter',
    });
  });

  it('when the failure asks for a longer wait (Retry-After), then the wait is at least that', () => {
    const error = Object.assign(new Error('429'), { retryAfterMs: 30_000 });

    expect(decideFailure(error, 1, defaults, noOutage).action).toMatchObject({
      kind: 'retry',
      delayMs: 30_000,
    });
  });

  it('when an outage detector recognises the failure, then the consumer pauses and no attempt is spent', () => {
    const detect = (error: unknown) =>
      error instanceof DependencyUnavailableError ? 'PostgreSQL' : undefined;

    const decision = decideFailure(new DependencyUnavailableError('PostgreSQL'), 8, defaults, [detect]);

    expect(decision.action).toEqual({ kind: 'pause', dependency: 'PostgreSQL' });
  });

  it('when the error is a decision already, then it is kept as it is', () => {
    const decision = new FailureDecision({ kind: 'dead-letter' }, new Error('x'), 2, 8);

    expect(decideFailure(decision, 5, defaults, noOutage)).toBe(decision);
  });
});
