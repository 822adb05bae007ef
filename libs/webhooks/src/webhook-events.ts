import {
  USER_EVENTS,
  UserErasedEvent,
  UserRegisteredEvent,
  UserUpdatedEvent,
  UserVerifiedEvent,
} from '@app/users';

/** The event types an endpoint can subscribe to: every user event, under its routing key. */
export const WEBHOOK_EVENT_TYPES = [
  USER_EVENTS.registered,
  USER_EVENTS.verified,
  USER_EVENTS.updated,
  USER_EVENTS.erased,
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * The events the fan-out's queue (`<prefix>.webhooks`) is bound to: all but `user.registered`, which the
 * provision-account step fans out. A second queue bound to `user.registered` would keep the registration
 * routable (publisher confirms with `mandatory`) while the provisioning queue is missing, and that registration
 * would then never be provisioned; each of these events has no other queue.
 */
export const WEBHOOK_FANOUT_EVENT_TYPES = [
  USER_EVENTS.verified,
  USER_EVENTS.updated,
  USER_EVENTS.erased,
] as const;

/** Any of the events a webhook is about, as published on the events exchange (ids and times only). */
export type WebhookSourceEvent = UserRegisteredEvent | UserVerifiedEvent | UserUpdatedEvent | UserErasedEvent;

/** The payload class of each event type, to validate what the fan-out receives. */
export const WEBHOOK_EVENT_CLASSES: Record<WebhookEventType, new () => WebhookSourceEvent> = {
  [USER_EVENTS.registered]: UserRegisteredEvent,
  [USER_EVENTS.verified]: UserVerifiedEvent,
  [USER_EVENTS.updated]: UserUpdatedEvent,
  [USER_EVENTS.erased]: UserErasedEvent,
};

export const isWebhookEventType = (type: string): type is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);

/** When the event happened, as the event says. */
export function occurredAt(event: WebhookSourceEvent): string {
  if ('registeredAt' in event) return event.registeredAt;
  if ('verifiedAt' in event) return event.verifiedAt;
  if ('updatedAt' in event) return event.updatedAt;
  return event.erasedAt;
}
