import { AppConfig } from '@app/config';
import { Injectable, Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { EncryptionKeyRequiredError, SecretUnreadableError } from './secrets.errors';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Known to everyone who reads this file, hence only for development and tests: a secret sealed with it is as
 * good as plain text. Production refuses it (see {@link SecretBox}).
 */
const DEVELOPMENT_KEY = createHash('sha256').update('onboarding-service insecure development key').digest();

/** A key's id: the first 6 bytes of its SHA-256, base64url. Names the key without revealing it. */
export function encryptionKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest().subarray(0, 6).toString('base64url');
}

/**
 * Encrypts short secrets at rest with AES-256-GCM (random 12-byte IV, 16-byte tag). A sealed secret is a
 * self-describing string, `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts), so that keys can rotate:
 * SECRETS_ENCRYPTION_KEY seals, and it or any of SECRETS_ENCRYPTION_PREVIOUS_KEYS opens what carries its id.
 * The `context` (e.g. the row a secret belongs to) is authenticated with it, together with the version and the
 * key id, so a sealed value copied to another row, or with its header edited, does not open.
 *
 * Without a configured key the built-in development key is used and a warning is logged at boot; with
 * `NODE_ENV=production` the app refuses to start instead ({@link EncryptionKeyRequiredError}).
 */
@Injectable()
export class SecretBox {
  private readonly logger = new Logger(SecretBox.name);
  private readonly sealingKeyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(config: AppConfig) {
    let current = config.secrets.encryptionKey;
    if (!current) {
      if (config.isProduction) throw new EncryptionKeyRequiredError();
      this.logger.warn(
        'SECRETS_ENCRYPTION_KEY is not set: secrets are encrypted with the built-in development key, which is ' +
          'public. Set a key of your own before storing anything real (production refuses to start without one).',
      );
      current = DEVELOPMENT_KEY;
    }
    this.sealingKeyId = encryptionKeyId(current);
    for (const key of [current, ...config.secrets.previousKeys]) this.keys.set(encryptionKeyId(key), key);
  }

  /** Encrypts `plaintext` (UTF-8) for `context`; the same context is needed to open it. */
  encrypt(plaintext: string, context: string): string {
    const key = this.keys.get(this.sealingKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(this.sealingKeyId, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.sealingKeyId, iv, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /**
   * Decrypts what {@link encrypt} produced for the same `context`.
   * @throws SecretUnreadableError when it is malformed, its key is unknown, or it (or the context) was altered
   */
  decrypt(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION || !parts.every((part) => BASE64URL.test(part))) {
      throw new SecretUnreadableError(`not a ${VERSION} sealed secret`);
    }
    const [, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new SecretUnreadableError(`sealed with key ${keyId}, which is not configured`);
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
      throw new SecretUnreadableError('malformed IV or authentication tag');
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(keyId, context));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new SecretUnreadableError('authentication failed: altered, or sealed for another context', {
        cause: error,
      });
    }
  }
}

function associatedData(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}.${keyId}.${context}`, 'utf8');
}
