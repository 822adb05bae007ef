import { parseIdempotencyKey } from './idempotency-key.header';
import { InvalidIdempotencyKeyError } from './idempotency.errors';
import { canonicalJson, requestFingerprint } from './request-fingerprint';

describe('Idempotency-Key header', () => {
  it.each([
    ['8e03978e-40d5-43e8-bc93-6894a57f9324', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['"with\\"quote"', 'with"quote'],
    ['  padded  ', 'padded'],
  ])('when the header is %p, then the key is %p', (header, key) => {
    expect(parseIdempotencyKey(header)).toBe(key);
  });

  it('when there is no header, then there is no key', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([[''], ['""'], ['k'.repeat(256)], ['two words'], ['clé'], [['a', 'b']]])(
    'when the header is %p, then it is refused with INVALID_IDEMPOTENCY_KEY',
    (header) => {
      expect(() => parseIdempotencyKey(header)).toThrow(InvalidIdempotencyKeyError);
    },
  );
});

describe('request fingerprints', () => {
  it('when two requests differ only in key order, then they have the same fingerprint', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [2, { e: 0, f: 1 }] }, b: 1 }),
    );
    expect(requestFingerprint('k'.repeat(32), { a: 1, b: 2 })).toBe(
      requestFingerprint('k'.repeat(32), { b: 2, a: 1 }),
    );
  });

  it('when the secret differs, then the fingerprint differs (a stolen table alone cannot test guesses)', () => {
    const request = { email: 'ada@example.com', password: 'correct horse battery staple' };

    expect(requestFingerprint('a'.repeat(32), request)).not.toBe(requestFingerprint('b'.repeat(32), request));
  });
});
