import { createHmac } from 'node:crypto';

/** JSON with object keys sorted at every level, so that two equal requests serialise alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What tells "the same request again" from "another request with the same key": an HMAC-SHA256, keyed with
 * IDEMPOTENCY_FINGERPRINT_KEY, of the canonical JSON of the validated, normalised request.
 *
 * Why keyed: a registration body holds a password. A plain SHA-256 of it, stored for a day next to the email
 * and names it was sent with, would be an unsalted fast hash of the password, open to offline guessing at
 * GPU speed: exactly what argon2 is there to prevent. Without the key, the fingerprint is worthless for that.
 * Leaving the password out of the fingerprint instead would make a retry with another password replay the
 * first answer silently, and would let anyone who knows a user's email and names (but not the password) get
 * that user's stored answer by guessing the key; with the password in the keyed fingerprint, neither happens.
 */
export function requestFingerprint(secret: string, request: unknown): string {
  return createHmac('sha256', secret).update(canonicalJson(request), 'utf8').digest('base64url');
}
