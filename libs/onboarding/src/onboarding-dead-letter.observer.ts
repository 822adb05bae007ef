import type { DeadLetterObserver, RecordedDeadLetter } from '@app/dead-letters';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnboardingStatusUpdater } from './onboarding-status.updater';
import { onboardingStepOfQueue } from './steps/onboarding-steps';
import { OnboardingTimelineRepository } from './timeline/onboarding-timeline.repository';
import { describeFailure } from './timeline/step-unit';

/**
 * A step's message was dead-lettered: no retry will come (until someone replays it), so the step's unit has failed,
 * and with it the user's onboarding when the unit is a required one. Runs in the ledger's transaction. Anything
 * that is not a step's message, or a payload without a usable user id (a poison message), is not onboarding's
 * business: ignored, never thrown on, since throwing would hold the dead letter back from the ledger.
 */
@Injectable()
export class OnboardingDeadLetterObserver implements DeadLetterObserver {
  private readonly logger = new Logger(OnboardingDeadLetterObserver.name);

  constructor(
    private readonly timeline: OnboardingTimelineRepository,
    private readonly status: OnboardingStatusUpdater,
  ) {}

  async onDeadLettered(manager: EntityManager, deadLetter: RecordedDeadLetter): Promise<void> {
    const step = deadLetter.queue === null ? undefined : onboardingStepOfQueue(deadLetter.queue);
    const unit = step?.unitOf(deadLetter.messageId, deadLetter.payload);
    if (!unit) return;
    const error = describeFailure(deadLetter.errorCode, deadLetter.errorMessage);
    if (!(await this.timeline.markDeadLettered(manager, unit, error))) return;
    const status = await this.status.refresh(manager, unit.userId);
    this.logger.warn(
      `${unit.step} of user ${unit.userId} failed: dead-lettered (${deadLetter.errorCode})` +
        (status === 'failed' ? '; onboarding failed' : ''),
    );
  }
}
