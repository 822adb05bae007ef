import { USER_EVENTS, type User } from '@app/users';
import type { WebhookEventType } from './webhook-events';

/** The body of every webhook: the Standard Webhooks payload shape. */
export interface WebhookPayload {
  type: WebhookEventType;
  /** When the event happened (not when this attempt was made: that is `webhook-timestamp`). */
  timestamp: string;
  data: Record<string, unknown>;
}

/** A user's public fields, as the API shows them (never the password hash, nor onboarding's internals). */
function publicUser(user: User): Record<string, unknown> {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    status: user.status,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
    verificationMethod: user.verificationMethod,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    erasedAt: user.erasedAt?.toISOString() ?? null,
  };
}

/**
 * The payload of one delivery, built when it is made: `data` is the user's public fields as they are now (a
 * delivery made later than its event shows later data); `user.updated` adds the names of the fields that changed;
 * `user.erased` carries only the user's id and the erasure time, never personal data.
 */
export function webhookPayload(
  type: WebhookEventType,
  event: Record<string, unknown>,
  occurredAt: Date,
  user: User,
): WebhookPayload {
  const timestamp = occurredAt.toISOString();
  if (type === USER_EVENTS.erased) return { type, timestamp, data: { id: user.id, erasedAt: timestamp } };
  const data = publicUser(user);
  if (type === USER_EVENTS.updated) data.changed = event.changed;
  return { type, timestamp, data };
}
