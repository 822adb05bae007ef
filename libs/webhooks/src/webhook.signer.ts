import { createHmac } from 'node:crypto';

/** The Standard Webhooks headers of one attempt. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs a delivery as the Standard Webhooks spec says: `webhook-signature` is `v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">` for each signing key, space-separated (after a rotation, the new key and the old
 * one, so that receivers that still have the old secret keep verifying). The timestamp is in seconds; receivers
 * reject old ones, which stops replays.
 */
export class WebhookSigner {
  static sign(id: string, timestamp: Date, body: string, keys: readonly Buffer[]): WebhookSignatureHeaders {
    if (keys.length === 0) throw new Error('a webhook needs at least one signing key');
    const seconds = Math.floor(timestamp.getTime() / 1000).toString();
    const signed = `${id}.${seconds}.${body}`;
    const signatures = keys.map(
      (key) => `v1,${createHmac('sha256', key).update(signed, 'utf8').digest('base64')}`,
    );
    return { 'webhook-id': id, 'webhook-timestamp': seconds, 'webhook-signature': signatures.join(' ') };
  }
}
