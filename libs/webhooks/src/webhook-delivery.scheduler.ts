import type { EntityManager } from 'typeorm';
import type { DeliverWebhookCommand } from './deliver-webhook.command';

/** A delivery to schedule as a step: its command, and the endpoint's URL for the user's timeline. */
export interface ScheduledDelivery {
  command: DeliverWebhookCommand;
  url: string;
  /** The id the step message is published under. */
  stepMessageId: string;
  /** Headers of the step message (the request id travels on). */
  headers: Record<string, string>;
}

/**
 * The step mechanism as webhooks need it, implemented by onboarding (which owns the inbox, the timeline and the
 * steps; this library cannot depend on it, since the delivery step depends on this library). Every method runs
 * in the caller's transaction. Wired by `WebhooksModule.forRoot({ scheduler })`.
 */
export abstract class WebhookDeliveryScheduler {
  /** Claims the fan-out of an event message in the inbox: false when it was fanned out before. */
  abstract claimFanOut(manager: EntityManager, eventMessageId: string): Promise<boolean>;

  /** A new delivery: its deliver-webhook step message through the outbox, and its pending unit on the timeline. */
  abstract schedule(manager: EntityManager, delivery: ScheduledDelivery): Promise<void>;

  /** A redelivery: a new step message for the same delivery, and its unit pending again if it had failed. */
  abstract reschedule(manager: EntityManager, delivery: ScheduledDelivery): Promise<void>;
}
