import { DatabaseConnector } from '@app/database';
import { failureCode } from '@app/errors';
import { User, UserNotFoundError, UsersRepository } from '@app/users';
import { Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { InboxRepository } from '../inbox/inbox.repository';
import { OnboardingStatusUpdater } from '../onboarding-status.updater';
import { OnboardingTimelineRepository } from '../timeline/onboarding-timeline.repository';
import { describeFailure, StepUnit } from '../timeline/step-unit';
import { OnboardingStepMetrics, StepOutcome } from './onboarding-step.metrics';

/** Returned by a step's work when there is nothing to do any more; recorded on the timeline as skipped. */
export class StepSkip {
  constructor(readonly reason: string) {}
}

/**
 * The mechanics every onboarding step shares. A step that only writes to PostgreSQL does everything in
 * {@link complete}: one transaction claims the message in the inbox, writes the step's effects and the messages of
 * the steps that follow (the outbox), and records the unit on the timeline. A step with an effect outside
 * PostgreSQL (SMTP, HTTP) {@link prepare}s in a short transaction, has its effect with no transaction or lock held,
 * then {@link complete}s: a crash in between repeats the effect once (at-least-once), so the effect carries a
 * stable id for the receiver to deduplicate on.
 */
@Injectable()
export class OnboardingStepRunner {
  private readonly logger = new Logger('OnboardingStep');

  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConnector,
    private readonly inbox: InboxRepository,
    private readonly users: UsersRepository,
    private readonly timeline: OnboardingTimelineRepository,
    private readonly status: OnboardingStatusUpdater,
    private readonly metrics: OnboardingStepMetrics,
  ) {}

  /**
   * Runs one step message: times it, counts its outcome, logs it, and records a failed attempt on the unit
   * before rethrowing (the retry interceptor decides what happens next).
   */
  async run(unit: StepUnit, body: () => Promise<StepOutcome>): Promise<StepOutcome> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      this.database.assertConnected();
      const outcome = await body();
      this.metrics.stepRan(unit.step, outcome, seconds());
      this.logger.log(
        outcome === 'duplicate'
          ? `message ${unit.messageId} was processed before; ${unit.step} skipped`
          : `${unit.step} of user ${unit.userId} ${outcome}`,
      );
      return outcome;
    } catch (error) {
      this.metrics.stepRan(unit.step, 'failed', seconds());
      if (!(error instanceof UserNotFoundError)) await this.recordFailedAttempt(unit, error);
      throw error;
    }
  }

  /**
   * The whole of a step, or its last part, in one transaction: a message claimed before changes nothing; the
   * user's row is locked (FOR NO KEY UPDATE) so that one user's steps run one after the other; an erased user's
   * step is skipped (unless `skipErased` is false: an effect already happened and is recorded as it is).
   * @throws UserNotFoundError (permanent) when the user does not exist
   */
  async complete(
    unit: StepUnit,
    work: (manager: EntityManager, user: User) => Promise<void | StepSkip>,
    { skipErased = true }: { skipErased?: boolean } = {},
  ): Promise<StepOutcome> {
    const { outcome, ended } = await this.dataSource.transaction(async (manager) => {
      if (!(await this.inbox.claim(manager, unit.messageId, unit.step)))
        return { outcome: 'duplicate' as const };
      const user = await this.lockUser(manager, unit.userId);
      const skip =
        skipErased && user.status === 'erased'
          ? new StepSkip('the user was erased')
          : await work(manager, user);
      if (skip instanceof StepSkip) await this.timeline.markSkipped(manager, unit, skip.reason);
      else await this.timeline.markCompleted(manager, unit);
      const ended = await this.status.refresh(manager, unit.userId);
      return { outcome: skip instanceof StepSkip ? ('skipped' as const) : ('completed' as const), ended };
    });
    if (ended === 'completed' || ended === 'failed') this.metrics.onboardingEnded(ended);
    return outcome;
  }

  /**
   * Before an external effect, in a short transaction of its own: a message whose step completed before needs
   * nothing (`duplicate`); an erased user's step (unless `skipErased` is false: the step decides, as a webhook of
   * `user.erased` must still go out), or one whose `prepare` says there is nothing to do, is recorded as skipped
   * and claimed in the inbox. Otherwise returns what `prepare` produced, for the effect.
   * @throws UserNotFoundError (permanent) when the user does not exist
   */
  async prepare<T>(
    unit: StepUnit,
    prepare: (manager: EntityManager, user: User) => Promise<T | StepSkip>,
    { skipErased = true }: { skipErased?: boolean } = {},
  ): Promise<{ outcome: StepOutcome } | { prepared: T; user: User }> {
    return this.dataSource.transaction(async (manager) => {
      if (await this.inbox.isClaimed(manager, unit.messageId, unit.step)) return { outcome: 'duplicate' };
      const user = await this.lockUser(manager, unit.userId);
      const prepared =
        skipErased && user.status === 'erased'
          ? new StepSkip('the user was erased')
          : await prepare(manager, user);
      if (!(prepared instanceof StepSkip)) return { prepared, user };
      await this.inbox.claim(manager, unit.messageId, unit.step);
      await this.timeline.markSkipped(manager, unit, prepared.reason);
      await this.status.refresh(manager, unit.userId);
      return { outcome: 'skipped' };
    });
  }

  private async lockUser(manager: EntityManager, userId: string): Promise<User> {
    const user = await this.users.lockById(manager, userId);
    if (!user) throw new UserNotFoundError(userId);
    return user;
  }

  /**
   * Best effort, in a transaction of its own (the failed one rolled back): the error that caused the failure
   * is what the caller must see, so a failure to record it (PostgreSQL is down, say) is only logged.
   */
  private async recordFailedAttempt(unit: StepUnit, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    try {
      await this.dataSource.transaction((manager) =>
        this.timeline.recordFailedAttempt(manager, unit, describeFailure(failureCode(error), message)),
      );
    } catch (recordError) {
      this.logger.warn(
        `could not record the failed attempt of ${unit.step}: ${(recordError as Error).message}`,
      );
    }
  }
}
