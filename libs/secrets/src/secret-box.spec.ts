import { AppConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { SecretBox, encryptionKeyId } from './secret-box';
import { EncryptionKeyRequiredError, SecretUnreadableError } from './secrets.errors';

const keyA = Buffer.alloc(32, 0xa1);
const keyB = Buffer.alloc(32, 0xb2);
const box = (variables: Record<string, string> = {}) => new SecretBox(AppConfig.load(variables));
const withKey = (key: Buffer, previous: Buffer[] = []) =>
  box({
    SECRETS_ENCRYPTION_KEY: key.toString('base64'),
    SECRETS_ENCRYPTION_PREVIOUS_KEYS: previous.map((k) => k.toString('hex')).join(','),
  });

/** Flips one bit of the base64url part `index` of a sealed secret (decoded, so the result stays well-formed). */
const flipBit = (sealed: string, index: number) => {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[0] = bytes[0] ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
};

describe('SecretBox', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('when a secret is encrypted, then it decrypts to the same text, and is a v1 string naming its key', () => {
    const secrets = withKey(keyA);

    const sealed = secrets.encrypt('s3cret-token ✓', 'row-1');

    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed.split('.')[1]).toBe(encryptionKeyId(keyA));
    expect(sealed).not.toContain('s3cret');
    expect(secrets.decrypt(sealed, 'row-1')).toBe('s3cret-token ✓');
  });

  it('when the same text is encrypted twice, then the results differ (a random IV each time)', () => {
    const secrets = withKey(keyA);

    expect(secrets.encrypt('same', 'ctx')).not.toBe(secrets.encrypt('same', 'ctx'));
  });

  it.each([
    ['the IV', 2],
    ['the ciphertext', 3],
    ['the authentication tag', 4],
  ])('when one bit of %s is flipped, then decrypting fails with SECRET_UNREADABLE', (_, index) => {
    const secrets = withKey(keyA);
    const sealed = secrets.encrypt('tamper with me', 'ctx');

    expect(() => secrets.decrypt(flipBit(sealed, index), 'ctx')).toThrow(SecretUnreadableError);
  });

  it('when it is decrypted for another context (copied to another row), then decrypting fails', () => {
    const secrets = withKey(keyA);
    const sealed = secrets.encrypt('mine', 'row-1');

    expect(() => secrets.decrypt(sealed, 'row-2')).toThrow(SecretUnreadableError);
  });

  it('when the key id in the header is replaced by another configured key, then decrypting fails', () => {
    const sealed = withKey(keyA).encrypt('x', 'ctx');
    const relabelled = sealed.replace(encryptionKeyId(keyA), encryptionKeyId(keyB));

    expect(() => withKey(keyB, [keyA]).decrypt(relabelled, 'ctx')).toThrow(SecretUnreadableError);
  });

  it('when another key is configured (wrong key), then decrypting fails naming the unknown key id', () => {
    const sealed = withKey(keyA).encrypt('x', 'ctx');

    expect(() => withKey(keyB).decrypt(sealed, 'ctx')).toThrow(/not configured/);
  });

  it('when the key rotated and the old key is a previous key, then old secrets decrypt and new ones use the new key', () => {
    const old = withKey(keyA).encrypt('from before', 'ctx');
    const rotated = withKey(keyB, [keyA]);

    expect(rotated.decrypt(old, 'ctx')).toBe('from before');
    expect(rotated.encrypt('new', 'ctx').split('.')[1]).toBe(encryptionKeyId(keyB));
  });

  it.each(['', 'plain text', 'v2.a.b.c.d', 'v1.a.b.c', 'v1.a.b.c.d.e', 'v1.!!.b.c.d'])(
    'when the value %p is not a sealed secret, then decrypting fails with SECRET_UNREADABLE',
    (value) => {
      expect(() => withKey(keyA).decrypt(value, 'ctx')).toThrow(SecretUnreadableError);
    },
  );

  it('when no key is configured outside production, then the development key works and a warning is logged', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    const secrets = box({ NODE_ENV: 'development' });

    expect(secrets.decrypt(secrets.encrypt('dev', 'ctx'), 'ctx')).toBe('dev');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('SECRETS_ENCRYPTION_KEY is not set'));
  });

  it('when no key is configured in production, then construction fails with a message naming the variable', () => {
    const construct = () =>
      box({
        NODE_ENV: 'production',
        IDEMPOTENCY_FINGERPRINT_KEY: 'a-fingerprint-key-for-this-test-only-0123456789',
      });

    expect(construct).toThrow(EncryptionKeyRequiredError);
    expect(construct).toThrow(/SECRETS_ENCRYPTION_KEY is required when NODE_ENV=production/);
  });

  it('when a key is configured in production, then no warning is logged', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    box({
      NODE_ENV: 'production',
      SECRETS_ENCRYPTION_KEY: keyA.toString('hex'),
      IDEMPOTENCY_FINGERPRINT_KEY: 'a-fingerprint-key-for-this-test-only-0123456789',
    });

    expect(warn).not.toHaveBeenCalled();
  });
});
