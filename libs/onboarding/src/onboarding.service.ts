import { DatabaseConnector } from '@app/database';
import { User, UserNotFoundError, UserRegisteredEvent, UsersRepository } from '@app/users';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InboxRepository } from './inbox.repository';
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
    provisionAccount: ProvisionAccountStep,
  ) {
    this.steps = [provisionAccount];
  }

  /**
   * One transaction: claim the message in the inbox, run the steps, mark the user completed. A message seen
   * before changes nothing.
   * @throws UserNotFoundError (permanent) when the user does not exist
   */
  async onUserRegistered(messageId: string, event: UserRegisteredEvent): Promise<OnboardingOutcome> {
    this.database.assertConnected();
    const outcome = await this.dataSource.transaction(async (manager): Promise<OnboardingOutcome> => {
      if (!(await this.inbox.claim(manager, messageId, OnboardingService.HANDLER))) return 'duplicate';
      const user = await manager.findOne(User, {
        where: { id: event.userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw new UserNotFoundError(event.userId);
      for (const step of this.steps) await step.run(manager, user);
      await this.users.setOnboardingStatus(manager, user.id, 'completed');
      return 'completed';
    });
    this.logger.log(
      outcome === 'duplicate'
        ? `message ${messageId} was processed before; skipped`
        : `onboarding of user ${event.userId} completed`,
    );
    return outcome;
  }
}
