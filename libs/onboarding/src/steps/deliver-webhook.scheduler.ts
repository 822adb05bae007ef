import { OutboxWriter } from '@app/outbox';
import { ScheduledDelivery, WEBHOOK_FANOUT, WebhookDeliveryScheduler } from '@app/webhooks';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InboxRepository } from '../inbox/inbox.repository';
import { OnboardingTimelineRepository } from '../timeline/onboarding-timeline.repository';
import { stepUnitOf } from './onboarding-steps';
import { ONBOARDING_STEP_NAMES } from './step-names';

/**
 * Webhook deliveries as `deliver-webhook` steps (the scheduler libs/webhooks asks for): the fan-out's inbox claim,
 * and for each delivery its step message on the steps exchange (through the outbox, under the id the delivery
 * row names) and its unit on the user's timeline, in the caller's transaction.
 */
@Injectable()
export class DeliverWebhookScheduler extends WebhookDeliveryScheduler {
  constructor(
    private readonly inbox: InboxRepository,
    private readonly timeline: OnboardingTimelineRepository,
    private readonly outbox: OutboxWriter,
  ) {
    super();
  }

  claimFanOut(manager: EntityManager, eventMessageId: string): Promise<boolean> {
    return this.inbox.claim(manager, eventMessageId, WEBHOOK_FANOUT);
  }

  async schedule(manager: EntityManager, delivery: ScheduledDelivery): Promise<void> {
    const unit = await this.enqueue(manager, delivery);
    await this.timeline.schedule(manager, { ...unit, detail: { ...unit.detail, url: delivery.url } });
  }

  async reschedule(manager: EntityManager, delivery: ScheduledDelivery): Promise<void> {
    const unit = await this.enqueue(manager, delivery);
    await this.timeline.markRetrying(manager, unit.userId, unit.step, unit.unit);
  }

  private async enqueue(manager: EntityManager, delivery: ScheduledDelivery) {
    await this.outbox.enqueue(manager, {
      exchange: 'steps',
      routingKey: ONBOARDING_STEP_NAMES.deliverWebhook,
      payload: delivery.command,
      headers: delivery.headers,
      messageId: delivery.stepMessageId,
    });
    return stepUnitOf(ONBOARDING_STEP_NAMES.deliverWebhook, delivery.stepMessageId, delivery.command);
  }
}
