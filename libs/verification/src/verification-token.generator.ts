import { createHash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;

/** What a token looks like: 32 random bytes in base64url without padding, 43 characters. */
export const VERIFICATION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new token: 32 bytes from the CSPRNG, base64url. */
export function generateVerificationToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * The SHA-256 of a token, the only form stored for lookup. A plain hash (no salt, no slow KDF) is enough: the
 * token has 256 bits of entropy, so the hash cannot be reversed by guessing, and it must be searchable.
 */
export function hashVerificationToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
