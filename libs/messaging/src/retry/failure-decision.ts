import { DomainError, failureCode } from '@app/errors';
import { retryDelayMs, RetryPolicyOptions } from './retry-policy';

/**
 * Names the dependency when an error means "a dependency the consumer relies on is down" (PostgreSQL), so the
 * consumer pauses instead of burning the message's attempts; undefined otherwise.
 */
export type OutageDetector = (error: unknown) => string | undefined;

/** What to do with a message whose handler failed. */
export type FailureAction =
  /** Park it for at least `delayMs` (the transport picks the tier, shortened by up to `jitterRatio`), then try again. */
  | { kind: 'retry'; delayMs: number; jitterRatio: number }
  /** Give up: to the dead-letter queue, with the error's code. */
  | { kind: 'dead-letter' }
  /** A dependency is down: hold the message (not an attempt) and stop consuming until it is back. */
  | { kind: 'pause'; dependency: string };

/**
 * A handler's failure turned into a decision. The retry interceptor throws it in place of the error; the
 * transport executes it (it moves messages, the interceptor never does, and neither sleeps in memory).
 */
export class FailureDecision extends Error {
  readonly code: string;

  constructor(
    readonly action: FailureAction,
    /** What the handler threw. */
    readonly error: unknown,
    /** The attempt that failed (1-based). */
    readonly attempt: number,
    readonly maxAttempts: number,
  ) {
    super(error instanceof Error ? error.message : String(error));
    this.name = 'FailureDecision';
    this.code = failureCode(error);
  }
}

/** Permanent failures (invalid messages, domain errors marked permanent) fail the same way every time. */
export function isPermanentFailure(error: unknown): boolean {
  return error instanceof DomainError && error.kind === 'permanent';
}

/** A wait the failure itself asks for (an HTTP `Retry-After`, say), in ms. */
function requestedDelayMs(error: unknown): number {
  const hint = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof hint === 'number' && Number.isFinite(hint) && hint > 0 ? hint : 0;
}

/**
 * The one classification of message-handler failures: a dependency outage pauses (no attempt is spent), a
 * permanent failure or the last attempt dead-letters, anything else (unexpected errors included) is retried
 * after the policy's wait, or longer when the failure asks for it.
 */
export function decideFailure(
  error: unknown,
  attempt: number,
  policy: RetryPolicyOptions,
  outageDetectors: readonly OutageDetector[],
): FailureDecision {
  if (error instanceof FailureDecision) return error;
  const decide = (action: FailureAction) => new FailureDecision(action, error, attempt, policy.maxAttempts);
  for (const detect of outageDetectors) {
    const dependency = detect(error);
    if (dependency) return decide({ kind: 'pause', dependency });
  }
  if (isPermanentFailure(error) || attempt >= policy.maxAttempts) return decide({ kind: 'dead-letter' });
  return decide({
    kind: 'retry',
    delayMs: Math.max(retryDelayMs(policy, attempt), requestedDelayMs(error)),
    jitterRatio: policy.jitterRatio,
  });
}
