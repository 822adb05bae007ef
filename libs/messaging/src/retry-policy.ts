import { DomainError } from '@app/errors';

/** Transient failures are retried with exponential backoff: attempt n+1 waits min(max, initial · factor^(n-1)). */
export interface RetryPolicy {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** Total attempts, the first included; after the last, the message is dead-lettered. */
  maxAttempts: number;
  /** Each wait is shortened by up to this fraction, at random, so that retries of a burst spread out. */
  jitterRatio: number;
}

/** The delay tier after failed attempt `attempt` (1-based): the TTL of the retry queue the message waits in. */
export function retryTierDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.round(Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1)));
}

/** Every tier a message can pass through, shortest first (one queue each). */
export function retryTierDelays(policy: RetryPolicy): number[] {
  const delays = new Set<number>();
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++)
    delays.add(retryTierDelayMs(policy, attempt));
  return [...delays].sort((a, b) => a - b);
}

/**
 * The message's own expiration inside its tier: up to `jitterRatio` shorter than the tier's TTL. Per-message
 * expiration only takes effect at the head of a queue, so a tier holds messages at most the jitter window
 * longer than their own expiration; the queue TTL is the upper bound.
 */
export function jitteredExpirationMs(
  policy: RetryPolicy,
  tierDelayMs: number,
  random = Math.random(),
): number {
  return Math.max(1, Math.round(tierDelayMs * (1 - policy.jitterRatio * random)));
}

/**
 * The single classification of failures for message handlers: permanent ones (invalid messages, domain errors
 * marked permanent) are dead-lettered at once; everything else, unexpected errors included, is transient.
 */
export function isPermanentFailure(error: unknown): boolean {
  return error instanceof DomainError && error.kind === 'permanent';
}
