import type { User } from '@app/users';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnboardingTimelineRepository } from '../onboarding-timeline.repository';
import type { OnboardingStepHandler } from './onboarding-step.handler';
import { ONBOARDING_STEP_NAMES } from './step-names';

/** Provisions the user's onboarding record (the first row of the timeline) and marks the step completed. */
@Injectable()
export class ProvisionAccountStep implements OnboardingStepHandler {
  readonly name = ONBOARDING_STEP_NAMES.provisionAccount;

  constructor(private readonly timeline: OnboardingTimelineRepository) {}

  async run(manager: EntityManager, user: User): Promise<void> {
    await this.timeline.markCompleted(manager, user.id, this.name);
  }
}
