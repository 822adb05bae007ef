import { policyDelays, RetryPolicyOptions } from './retry-policy';

/**
 * The delay tiers the broker holds retries in: one queue per distinct delay of any handler's policy. A retry
 * waits in the shortest tier that is at least as long as it must wait (a `Retry-After` may ask for more than the
 * policy), or the longest there is.
 */
export class RetryTiers {
  readonly delaysMs: readonly number[];

  constructor(delaysMs: Iterable<number>) {
    this.delaysMs = [...new Set(delaysMs)].sort((a, b) => a - b);
  }

  static fromPolicies(policies: readonly RetryPolicyOptions[]): RetryTiers {
    return new RetryTiers(policies.flatMap(policyDelays));
  }

  /** @throws Error when there are no tiers (no policy allows a retry) */
  pick(minimumDelayMs: number): number {
    const longest = this.delaysMs.at(-1);
    if (longest === undefined) throw new Error('no retry tiers are declared');
    return this.delaysMs.find((delay) => delay >= minimumDelayMs) ?? longest;
  }
}
