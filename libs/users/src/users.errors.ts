import { DomainError } from '@app/errors';

export class UserEmailTakenError extends DomainError {
  readonly code = 'USER_EMAIL_TAKEN';
  readonly kind = 'permanent';

  constructor() {
    super('a user with this email is already registered');
  }
}

export class UserNotFoundError extends DomainError {
  readonly code = 'USER_NOT_FOUND';
  readonly kind = 'permanent';

  constructor(readonly userId: string) {
    super(`user ${userId} does not exist`);
  }
}

export class InvalidCursorError extends DomainError {
  readonly code = 'INVALID_CURSOR';
  readonly kind = 'permanent';

  constructor() {
    super('the cursor is malformed; use the nextCursor of a previous page');
  }
}

/** The user was erased: nothing about it can change any more. */
export class UserErasedError extends DomainError {
  readonly code = 'USER_ERASED';
  readonly kind = 'permanent';

  constructor(readonly userId: string) {
    super(`user ${userId} was erased`);
  }
}

/** A change without the version it was based on (optimistic concurrency is required, not optional). */
export class PreconditionRequiredError extends DomainError {
  readonly code = 'PRECONDITION_REQUIRED';
  readonly kind = 'permanent';

  constructor() {
    super('send If-Match with the ETag of the user as you last read it');
  }
}

/** A change based on a version that is no longer the current one: someone else changed the user meanwhile. */
export class PreconditionFailedError extends DomainError {
  readonly code = 'PRECONDITION_FAILED';
  readonly kind = 'permanent';

  constructor(readonly currentVersion: number) {
    super('the user changed since the ETag in If-Match was read; read it again and reapply the change');
  }
}
