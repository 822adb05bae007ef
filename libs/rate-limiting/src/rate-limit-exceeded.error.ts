import { DomainError } from '@app/errors';

/** A client went over a rate limit; it may try again after `retryAfterSeconds`. */
export class RateLimitExceededError extends DomainError {
  readonly code = 'RATE_LIMITED';
  readonly kind = 'transient';

  constructor(
    readonly policy: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`the "${policy}" rate limit is exhausted; retry after ${retryAfterSeconds} s`);
  }

  /** Read by the problem mapping: the answer says when to come back (RFC 9110, section 10.2.3). */
  problemHeaders(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}
