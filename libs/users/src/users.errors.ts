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
