import { DomainError } from '@app/errors';

/**
 * More passwords are being hashed than ARGON2_MAX_PENDING allows: the request is refused at once (503) rather
 * than queued, so a burst of signups cannot pile up memory and latency without bound.
 */
export class PasswordHashingOverloadedError extends DomainError {
  readonly code = 'SERVICE_OVERLOADED';
  readonly kind = 'transient';

  constructor(readonly pending: number) {
    super(`${pending} passwords are being hashed already; retry in a moment`);
  }

  /** Read by the problem mapping: a hash takes tens of milliseconds, so a second is plenty. */
  problemHeaders(): Record<string, string> {
    return { 'Retry-After': '1' };
  }
}
