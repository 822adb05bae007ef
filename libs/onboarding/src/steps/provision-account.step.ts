import { OutboxWriter } from '@app/outbox';
import { USER_EVENTS, type UserRegisteredEvent } from '@app/users';
import { SendVerificationEmailCommand } from '@app/verification';
import { WebhookFanout } from '@app/webhooks';
import { Injectable } from '@nestjs/common';
import { OnboardingTimelineRepository } from '../timeline/onboarding-timeline.repository';
import type { StepOutcome } from './onboarding-step.metrics';
import { OnboardingStepRunner } from './onboarding-step.runner';
import { stepUnitOf } from './onboarding-steps';
import { followUpHeaders, StepMessage } from './step-message';
import { ONBOARDING_STEP_NAMES } from './step-names';

/**
 * The first step of a registration (`user.registered`): provisions the user's onboarding record and, in the same
 * transaction, schedules the verification email (a `send-verification-email` message through the outbox, and its
 * pending unit on the timeline) and the `user.registered` webhook deliveries (the fan-out of this one event runs
 * here, so that the registration has a single queue). PostgreSQL only, so exactly once.
 */
@Injectable()
export class ProvisionAccountStep {
  constructor(
    private readonly runner: OnboardingStepRunner,
    private readonly timeline: OnboardingTimelineRepository,
    private readonly outbox: OutboxWriter,
    private readonly webhooks: WebhookFanout,
  ) {}

  run(message: StepMessage, event: UserRegisteredEvent): Promise<StepOutcome> {
    const unit = stepUnitOf(ONBOARDING_STEP_NAMES.provisionAccount, message.messageId, event);
    return this.runner.run(unit, () =>
      this.runner.complete(unit, async (manager, user) => {
        const command: SendVerificationEmailCommand = {
          userId: user.id,
          reason: 'registration',
          requestedAt: new Date().toISOString(),
        };
        const mailMessageId = await this.outbox.enqueue(manager, {
          exchange: 'steps',
          routingKey: ONBOARDING_STEP_NAMES.sendVerificationEmail,
          payload: command,
          headers: followUpHeaders(message),
        });
        await this.timeline.schedule(
          manager,
          stepUnitOf(ONBOARDING_STEP_NAMES.sendVerificationEmail, mailMessageId, command),
        );
        await this.webhooks.scheduleDeliveries(manager, message, USER_EVENTS.registered, event);
      }),
    );
  }
}
