import { DomainError } from '@app/errors';

/** No token has this value (never issued, mistyped, or its user was erased). */
export class VerificationTokenInvalidError extends DomainError {
  readonly code = 'VERIFICATION_TOKEN_INVALID';
  readonly kind = 'permanent';

  constructor() {
    super('this verification link is not valid; request a new one');
  }
}

/** The token verified the email already; a token works once. */
export class VerificationTokenUsedError extends DomainError {
  readonly code = 'VERIFICATION_TOKEN_USED';
  readonly kind = 'permanent';

  constructor() {
    super('this verification link was used already');
  }
}

/** The token is past its expiry (VERIFICATION_TOKEN_TTL). */
export class VerificationTokenExpiredError extends DomainError {
  readonly code = 'VERIFICATION_TOKEN_EXPIRED';
  readonly kind = 'permanent';

  constructor() {
    super('this verification link has expired; request a new one');
  }
}

/** A newer token was issued for the user, which invalidated this one: only the latest link works. */
export class VerificationTokenSupersededError extends DomainError {
  readonly code = 'VERIFICATION_TOKEN_SUPERSEDED';
  readonly kind = 'permanent';

  constructor() {
    super('a newer verification link was sent; use the latest one');
  }
}

/**
 * For the worker's mail step: the user is not waiting for verification any more (verified, or erased), so
 * there is nothing to mail. The step is a no-op, not a failure to retry.
 */
export class VerificationNotPendingError extends DomainError {
  readonly code = 'VERIFICATION_NOT_PENDING';
  readonly kind = 'permanent';

  constructor(
    readonly userId: string,
    readonly status: string,
  ) {
    super(`user ${userId} is ${status}, not pending verification: no verification mail to send`);
  }
}

/**
 * For the worker's mail step: the token of this step message can no longer be mailed (it was marked sent, a
 * newer one superseded it, it was used, or it expired). Sending a different link under the same mail would
 * defeat deduplication, so the step is a no-op; a user who still needs a link asks for a new one.
 */
export class VerificationStepClosedError extends DomainError {
  readonly code = 'VERIFICATION_STEP_CLOSED';
  readonly kind = 'permanent';

  constructor(
    readonly stepMessageId: string,
    readonly reason: 'sent' | 'superseded' | 'used' | 'expired' | 'other user',
  ) {
    super(`the verification token of step message ${stepMessageId} cannot be mailed: ${reason}`);
  }
}
