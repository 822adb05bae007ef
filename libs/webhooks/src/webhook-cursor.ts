import { InvalidWebhookCursorError } from './webhooks.errors';

/**
 * A position in a webhooks list (endpoints oldest first, deliveries newest first): after the row with this
 * creation time and id. Opaque to clients (base64url of JSON).
 */
export class WebhookCursor {
  constructor(
    readonly createdAt: Date,
    readonly id: string,
  ) {}

  static after(row: { createdAt: Date; id: string }): string {
    return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id]), 'utf8').toString('base64url');
  }

  /** @throws InvalidWebhookCursorError when the string is not a cursor this service made */
  static decode(encoded: string): WebhookCursor {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidWebhookCursorError();
    }
    if (!Array.isArray(decoded) || decoded.length !== 2) throw new InvalidWebhookCursorError();
    const [timestamp, id] = decoded as unknown[];
    const createdAt = typeof timestamp === 'string' ? new Date(timestamp) : new Date(Number.NaN);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    if (typeof id !== 'string' || !uuid.test(id) || Number.isNaN(createdAt.getTime())) {
      throw new InvalidWebhookCursorError();
    }
    return new WebhookCursor(createdAt, id);
  }
}
