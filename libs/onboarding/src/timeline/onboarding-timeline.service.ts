import { DatabaseConnector } from '@app/database';
import { DeadLetter, DeadLetterRepository } from '@app/dead-letters';
import { OnboardingStatus, UserNotFoundError, UsersRepository } from '@app/users';
import { Injectable } from '@nestjs/common';
import { OnboardingStep } from './onboarding-step.entity';
import { OnboardingTimelineRepository } from './onboarding-timeline.repository';

/** A user's onboarding as an operator sees it: the outcome, each step, and the messages that were dead-lettered. */
export interface OnboardingTimeline {
  userId: string;
  onboardingStatus: OnboardingStatus;
  /** The required step whose failure failed the onboarding, when it has. */
  failedStep: string | null;
  steps: OnboardingStep[];
  deadLetters: DeadLetter[];
}

/** At most this many of a user's dead letters are shown (a user has one or two; this bounds a pathology). */
const MAX_DEAD_LETTERS = 100;

@Injectable()
export class OnboardingTimelineService {
  constructor(
    private readonly database: DatabaseConnector,
    private readonly users: UsersRepository,
    private readonly timeline: OnboardingTimelineRepository,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  /** @throws UserNotFoundError */
  async get(userId: string): Promise<OnboardingTimeline> {
    this.database.assertConnected();
    const user = await this.users.findById(userId);
    if (!user) throw new UserNotFoundError(userId);
    const [steps, deadLetters] = await Promise.all([
      this.timeline.findByUser(userId),
      this.deadLetters.findByPayload({ userId }, MAX_DEAD_LETTERS),
    ]);
    const failed = steps.find((step) => step.required && step.status === 'failed');
    return {
      userId,
      onboardingStatus: user.onboardingStatus,
      failedStep: failed?.step ?? null,
      steps,
      deadLetters,
    };
  }
}
