import { DomainError } from '@app/errors';

/** The `Idempotency-Key` header is not a key: 1-255 visible ASCII characters, optionally quoted. */
export class InvalidIdempotencyKeyError extends DomainError {
  readonly code = 'INVALID_IDEMPOTENCY_KEY';
  readonly kind = 'permanent';

  constructor() {
    super('Idempotency-Key must be 1 to 255 visible ASCII characters (a string, such as a UUID)');
  }
}

/** A request with this key is being processed right now; retry once it has finished. */
export class IdempotencyKeyInUseError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_IN_USE';
  readonly kind = 'transient';

  constructor() {
    super('a request with this Idempotency-Key is still in progress; retry in a moment');
  }

  problemHeaders(): Record<string, string> {
    return { 'Retry-After': '1' };
  }
}

/** The key was used for another request (another body) within its lifetime. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly kind = 'permanent';

  constructor() {
    super('this Idempotency-Key was used with a different request; use a new key for a new request');
  }
}
