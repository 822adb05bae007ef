import { DomainError } from '@app/errors';

/**
 * A sealed secret that cannot be opened: malformed, sealed with a key this process does not have, sealed for
 * another context, or altered. Permanent: trying again with the same keys fails the same way.
 */
export class SecretUnreadableError extends DomainError {
  readonly code = 'SECRET_UNREADABLE';
  readonly kind = 'permanent';
}

/** `NODE_ENV=production` without SECRETS_ENCRYPTION_KEY: the app refuses to start rather than use a known key. */
export class EncryptionKeyRequiredError extends Error {
  constructor() {
    super(
      'SECRETS_ENCRYPTION_KEY is required when NODE_ENV=production: set it to 32 random bytes, base64 or hex ' +
        '(e.g. `openssl rand -base64 32`). The built-in development key is refused in production.',
    );
    this.name = 'EncryptionKeyRequiredError';
  }
}
