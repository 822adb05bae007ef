/**
 * How a handler's transient failures are retried: attempt n+1 waits min(max, initial · factor^(n-1)), shortened
 * by up to `jitterRatio` at random; after `maxAttempts` attempts in all the message is dead-lettered.
 */
export interface RetryPolicyOptions {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** Total attempts, the first included; after the last, the message is dead-lettered. */
  maxAttempts: number;
  /** Each wait is shortened by up to this fraction, at random, so that retries of a burst spread out. */
  jitterRatio: number;
}

/** The wait after failed attempt `attempt` (1-based). */
export function retryDelayMs(policy: RetryPolicyOptions, attempt: number): number {
  return Math.round(Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1)));
}

/** Every wait the policy can ask for, shortest first. */
export function policyDelays(policy: RetryPolicyOptions): number[] {
  const delays = new Set<number>();
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) delays.add(retryDelayMs(policy, attempt));
  return [...delays].sort((a, b) => a - b);
}

/**
 * The message's own expiration inside its tier: up to `jitterRatio` shorter than the tier's TTL. Per-message
 * expiration only takes effect at the head of a queue, so a tier holds messages at most the jitter window
 * longer than their own expiration; the queue TTL is the upper bound.
 */
export function jitteredExpirationMs(
  jitterRatio: number,
  tierDelayMs: number,
  random = Math.random(),
): number {
  return Math.max(1, Math.round(tierDelayMs * (1 - jitterRatio * random)));
}
