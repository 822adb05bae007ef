import { DatabaseConnector } from '@app/database';
import { failureCode } from '@app/errors';
import { User, UserNotFoundError, UserRegisteredEvent, UsersRepository } from '@app/users';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { InboxRepository } from './inbox.repository';
import { OnboardingTimelineRepository } from './onboarding-timeline.repository';
import { OnboardingStepHandler } from './steps/onboarding-step.handler';
import { ProvisionAccountStep } from './steps/provision-account.step';

export type OnboardingOutcome = 'completed' | 'duplicate';

/** Runs onboarding for a registered user: every step, then the user's onboarding status, exactly once. */
@Injectable()
export class OnboardingService {
  static readonly HANDLER = 'onboarding.user-registered';
  private readonly logger = new Logger(OnboardingService.name);
  private readonly steps: readonly OnboardingStepHandler[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConnector,
    private readonly inbox: InboxRepository,
    private readonly users: UsersRepository,
    private readonly timeline: OnboardingTimelineRepository,
    provisionAccount: ProvisionAccountStep,
  ) {
    this.steps = [provisionAccount];
  }

  /**
   * One transaction: claim the message in the inbox, run the steps, mark the user completed. A message seen
   * before changes nothing. A failed attempt is counted on the timeline of the step it failed in.
   * @throws UserNotFoundError (permanent) when the user does not exist
   */
  async onUserRegistered(messageId: string, event: UserRegisteredEvent): Promise<OnboardingOutcome> {
    this.database.assertConnected();
    // The step a failure is charged to: the one running, or the first if none had started yet.
    let current = this.steps[0]?.name;
    let outcome: OnboardingOutcome;
    try {
      outcome = await this.dataSource.transaction(async (manager): Promise<OnboardingOutcome> => {
        if (!(await this.inbox.claim(manager, messageId, OnboardingService.HANDLER))) return 'duplicate';
        const user = await manager.findOne(User, {
          where: { id: event.userId },
          // FOR NO KEY UPDATE: serialises onboarding of the user without blocking the KEY SHARE locks that the
          // timeline's foreign key takes (FOR UPDATE would, and deadlock with a concurrent failure record).
          lock: { mode: 'for_no_key_update' },
        });
        if (!user) throw new UserNotFoundError(event.userId);
        for (const step of this.steps) {
          current = step.name;
          await step.run(manager, user);
        }
        await this.users.setOnboardingStatus(manager, user.id, 'completed');
        return 'completed';
      });
    } catch (error) {
      if (current && !(error instanceof UserNotFoundError))
        await this.recordFailedAttempt(event.userId, current, error);
      throw error;
    }
    this.logger.log(
      outcome === 'duplicate'
        ? `message ${messageId} was processed before; skipped`
        : `onboarding of user ${event.userId} completed`,
    );
    return outcome;
  }

  /**
   * The user's `user.registered` message was dead-lettered: no retry will come, so onboarding has failed (until
   * someone replays it). Runs in the caller's (the ledger's) transaction. A user that does not exist, or whose
   * onboarding completed after all, is left alone.
   */
  async onDeadLettered(
    manager: EntityManager,
    userId: string,
    errorCode: string,
    errorMessage: string,
  ): Promise<void> {
    if (!(await this.users.markOnboardingFailed(manager, userId))) return;
    const steps = this.steps.map((step) => step.name);
    await this.timeline.markFailed(manager, userId, steps, describeFailure(errorCode, errorMessage));
    this.logger.warn(`onboarding of user ${userId} failed: dead-lettered (${errorCode})`);
  }

  /**
   * Best effort, in a transaction of its own (the failed one rolled back): the error that caused the failure
   * is what the caller must see, so a failure to record it is only logged.
   */
  private async recordFailedAttempt(userId: string, step: string, error: unknown): Promise<void> {
    const code = failureCode(error);
    const message = error instanceof Error ? error.message : String(error);
    try {
      await this.dataSource.transaction((manager) =>
        this.timeline.recordFailedAttempt(manager, userId, step, describeFailure(code, message)),
      );
    } catch (recordError) {
      this.logger.warn(`could not record the failed attempt of ${step}: ${(recordError as Error).message}`);
    }
  }
}

/** A step's `last_error`: the stable code first, then the specifics, bounded. */
function describeFailure(code: string, message: string): string {
  return `${code}: ${message}`.slice(0, 1000);
}
