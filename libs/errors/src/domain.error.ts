/**
 * How a failure should be treated by whoever retries work: a permanent failure will fail the same way again
 * (bad input, a missing record), a transient one may succeed later (a dependency is down or busy).
 */
export type FailureKind = 'permanent' | 'transient';

/**
 * Base of every error the domain raises on purpose. `code` is a stable, documented string (`USER_EMAIL_TAKEN`)
 * that each transport maps once: the API to an HTTP problem, the worker to ack, retry or dead-letter.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: FailureKind;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The stable code of any failure: a domain error's own code, else `HANDLER_FAILED` (an unexpected error). */
export function failureCode(error: unknown): string {
  return error instanceof DomainError ? error.code : 'HANDLER_FAILED';
}
