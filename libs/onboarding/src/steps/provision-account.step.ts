import { OutboxWriter } from '@app/outbox';
import { USER_EVENTS, type UserRegisteredEvent } from '@app/users';
import { SendVerificationEmailCommand } from '@app/verification';
import { WebhookFanout } from '@app/webhooks';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnboardingTimelineRepository } from '../timeline/onboarding-timeline.repository';
import type { StepOutcome } from './onboarding-step.metrics';
import { OnboardingStepRunner } from './onboarding-step.runner';
import { stepUnitOf } from './onboarding-steps';
import { followUpHeaders, StepMessage } from './step-message';
import { ONBOARDING_STEP_NAMES } from './step-names';

/** One `user.registered` message for the step. */
export interface Registration {
  message: StepMessage;
  event: UserRegisteredEvent;
}

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
      this.runner.complete(unit, (manager) => this.provision(manager, [{ message, event }])),
    );
  }

  /**
   * Several registrations, each of a different user, in one transaction ({@link OnboardingStepRunner.completeMany}).
   * @returns an outcome per registration, in the order given
   * @throws when any of them fails: nothing is committed then, and each is to run again by itself ({@link run})
   */
  runMany(registrations: readonly Registration[]): Promise<StepOutcome[]> {
    const units = registrations.map(({ message, event }) =>
      stepUnitOf(ONBOARDING_STEP_NAMES.provisionAccount, message.messageId, event),
    );
    const byUnit = new Map(units.map((unit, index) => [unit, registrations[index]]));
    return this.runner.runMany(units, () =>
      this.runner.completeMany(units, async (manager, items) => {
        await this.provision(
          manager,
          items.map(({ unit }) => byUnit.get(unit)!),
        );
        return items.map(() => undefined);
      }),
    );
  }

  private async provision(manager: EntityManager, registrations: readonly Registration[]): Promise<void> {
    const requestedAt = new Date().toISOString();
    const commands = registrations.map(({ event }): SendVerificationEmailCommand => ({
      userId: event.userId,
      reason: 'registration',
      requestedAt,
    }));
    const mailMessageIds = await this.outbox.enqueueMany(
      manager,
      registrations.map(({ message }, index) => ({
        exchange: 'steps',
        routingKey: ONBOARDING_STEP_NAMES.sendVerificationEmail,
        payload: commands[index],
        headers: followUpHeaders(message),
      })),
    );
    await this.timeline.scheduleMany(
      manager,
      commands.map((command, index) =>
        stepUnitOf(ONBOARDING_STEP_NAMES.sendVerificationEmail, mailMessageIds[index], command),
      ),
    );
    await this.webhooks.scheduleDeliveriesOfMany(manager, USER_EVENTS.registered, registrations);
  }
}
