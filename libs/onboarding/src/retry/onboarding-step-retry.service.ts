import { DatabaseConnector } from '@app/database';
import { DeadLetterReplayer } from '@app/dead-letters';
import { UserNotFoundError, UsersRepository } from '@app/users';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StepNotFailedError, UnknownStepError } from '../onboarding.errors';
import { OnboardingStatusUpdater } from '../onboarding-status.updater';
import { onboardingStep } from '../steps/onboarding-steps';
import type { OnboardingStep } from '../timeline/onboarding-step.entity';
import { OnboardingTimelineRepository } from '../timeline/onboarding-timeline.repository';

/**
 * An operator re-runs a user's failed step (`POST /users/{id}/onboarding/steps/{step}/retry`): each failed unit's
 * dead letter is replayed through the outbox under its message id, and the unit is pending again, in one
 * transaction. Steps that succeeded are not touched; the inbox makes a replay of a message applied after all a
 * no-op.
 */
@Injectable()
export class OnboardingStepRetryService {
  private readonly logger = new Logger(OnboardingStepRetryService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConnector,
    private readonly users: UsersRepository,
    private readonly timeline: OnboardingTimelineRepository,
    private readonly status: OnboardingStatusUpdater,
    private readonly replayer: DeadLetterReplayer,
  ) {}

  /**
   * @returns the units retried, now pending
   * @throws UnknownStepError, UserNotFoundError, StepNotFailedError, and the replay's own errors
   *   (DeadLetterNotFoundError, DeadLetterNotPendingError) when a failed unit's dead letter cannot be replayed
   */
  async retry(userId: string, stepName: string, requestId?: string): Promise<OnboardingStep[]> {
    if (!onboardingStep(stepName)) throw new UnknownStepError(stepName);
    this.database.assertConnected();
    const retried = await this.dataSource.transaction(async (manager) => {
      if (!(await this.users.lockById(manager, userId))) throw new UserNotFoundError(userId);
      const failed = await this.timeline.findFailed(manager, userId, stepName);
      if (failed.length === 0) throw new StepNotFailedError(userId, stepName);
      for (const unit of failed) {
        if (unit.messageId) await this.replayer.replayPending(manager, unit.messageId, requestId);
        await this.timeline.markRetrying(manager, userId, stepName, unit.unit);
      }
      await this.status.refresh(manager, userId);
      return failed.map((unit) => ({ ...unit, status: 'pending' as const, deadLetteredAt: null }));
    });
    this.logger.log(`${stepName} of user ${userId} retried (${retried.length} unit(s))`);
    return retried;
  }
}
