import { DatabaseConnector } from '@app/database';
import { failureCode } from '@app/errors';
import { User, UserNotFoundError } from '@app/users';
import { Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { InboxRepository } from '../inbox/inbox.repository';
import { OnboardingStatusUpdater } from '../onboarding-status.updater';
import { OnboardingTimelineRepository, SettledUnit } from '../timeline/onboarding-timeline.repository';
import { describeFailure, StepUnit } from '../timeline/step-unit';
import { OnboardingStepMetrics, StepOutcome } from './onboarding-step.metrics';

/** Returned by a step's work when there is nothing to do any more; recorded on the timeline as skipped. */
export class StepSkip {
  constructor(readonly reason: string) {}
}

/** A locked user of a unit; @throws UserNotFoundError (permanent) when it does not exist */
function existing(users: ReadonlyMap<string, User>, userId: string): User {
  const user = users.get(userId);
  if (!user) throw new UserNotFoundError(userId);
  return user;
}

/** What {@link OnboardingStepRunner.prepare} found: nothing left to do, or what the effect needs. */
export type Prepared<T> = { outcome: StepOutcome } | { prepared: T; user: User };

/** A unit of a step and its user, locked in the step's transaction. */
export interface UnitOfUser {
  unit: StepUnit;
  user: User;
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
      this.logOutcome(unit, outcome);
      return outcome;
    } catch (error) {
      this.metrics.stepRan(unit.step, 'failed', seconds());
      if (!(error instanceof UserNotFoundError)) await this.recordFailedAttempt(unit, error);
      throw error;
    }
  }

  /**
   * {@link run} for a batch ({@link completeMany}): times it, and counts and logs each unit's outcome. A failed
   * batch is only rethrown: nothing of it was committed, and each of its messages runs again by itself, through
   * {@link run}, which counts and records a failure then; so does a unit the batch gives no outcome.
   */
  async runMany<O extends StepOutcome | undefined>(
    units: readonly StepUnit[],
    body: () => Promise<O[]>,
  ): Promise<O[]> {
    const started = performance.now();
    this.database.assertConnected();
    const outcomes = await body();
    // The batch's time is each unit's: every unit waited for all of it.
    const seconds = (performance.now() - started) / 1000;
    units.forEach((unit, index) => {
      const outcome = outcomes[index];
      // No outcome: the unit was left for the one-by-one path, which counts it.
      if (outcome === undefined) return;
      this.metrics.stepRan(unit.step, outcome, seconds);
      this.logOutcome(unit, outcome);
    });
    return outcomes;
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
    options: { skipErased?: boolean } = {},
  ): Promise<StepOutcome> {
    const [outcome] = await this.completeMany(
      [unit],
      async (manager, [item]) => [await work(manager, item.user)],
      options,
    );
    return outcome;
  }

  /**
   * {@link complete} for several messages of one step, each for a different user, in one transaction: one inbox
   * claim, one lock and one write per kind of row for all of them. All or nothing: when any of them fails (its
   * user does not exist, say), nothing is committed, and the caller takes them one by one.
   * @returns an outcome per unit, in the order given
   * @throws UserNotFoundError when the user of any unit does not exist
   */
  async completeMany(
    units: readonly StepUnit[],
    work: (manager: EntityManager, items: readonly UnitOfUser[]) => Promise<readonly (void | StepSkip)[]>,
    { skipErased = true }: { skipErased?: boolean } = {},
  ): Promise<StepOutcome[]> {
    const { outcomes, ended } = await this.dataSource.transaction(async (manager) => {
      const { claimed, users } = await this.inbox.claimManyLockingUsers(manager, units, units[0].step);
      const toDo = units.filter((unit) => claimed.has(unit.messageId));
      const items = toDo.map((unit) => ({ unit, user: existing(users, unit.userId) }));
      const results = await this.resultsOf(items, skipErased, (working) => work(manager, working));
      const settled = items.map(({ unit }): SettledUnit => {
        const result = results.get(unit);
        return result instanceof StepSkip
          ? { unit, status: 'skipped', reason: result.reason }
          : { unit, status: 'completed' };
      });
      const ended = await this.status.settleAndRefresh(
        manager,
        settled,
        toDo.map((unit) => unit.userId),
      );
      const statusOf = new Map(settled.map(({ unit, status }) => [unit, status]));
      return { outcomes: units.map((unit) => statusOf.get(unit) ?? ('duplicate' as const)), ended };
    });
    for (const status of ended.values())
      if (status === 'completed' || status === 'failed') this.metrics.onboardingEnded(status);
    return outcomes;
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
    options: { skipErased?: boolean } = {},
  ): Promise<Prepared<T>> {
    const [prepared] = await this.prepareMany(
      [unit],
      async (manager, [item]) => [await prepare(manager, item.user)],
      options,
    );
    return prepared;
  }

  /**
   * {@link prepare} for several messages of one step, each for a different user, in one transaction.
   * @returns per unit, in the order given
   * @throws UserNotFoundError when the user of any unit does not exist (nothing is committed)
   */
  async prepareMany<T>(
    units: readonly StepUnit[],
    prepare: (manager: EntityManager, items: readonly UnitOfUser[]) => Promise<readonly (T | StepSkip)[]>,
    { skipErased = true }: { skipErased?: boolean } = {},
  ): Promise<Prepared<T>[]> {
    const step = units[0].step;
    return this.dataSource.transaction(async (manager) => {
      const { claimed: done, users } = await this.inbox.claimedAmongLockingUsers(manager, units, step);
      const toDo = units.filter((unit) => !done.has(unit.messageId));
      const items = toDo.map((unit) => ({ unit, user: existing(users, unit.userId) }));
      const preparedOf = await this.resultsOf(items, skipErased, (working) => prepare(manager, working));
      const skipped = items.filter(({ unit }) => preparedOf.get(unit) instanceof StepSkip);
      // A redelivery of a message whose run is completing right now: the check above saw no claim, the user's
      // lock waited for that run to commit, and the step looks done ("its token is sent"). The claim sees the
      // committed one: a duplicate, not a skip that would overwrite the unit's completion.
      const claimed = await this.inbox.claimMany(
        manager,
        skipped.map(({ unit }) => unit.messageId),
        step,
      );
      const settled = skipped
        .filter(({ unit }) => claimed.has(unit.messageId))
        .map(({ unit }): SettledUnit => ({
          unit,
          status: 'skipped',
          reason: (preparedOf.get(unit) as StepSkip).reason,
        }));
      await this.status.settleAndRefresh(
        manager,
        settled,
        settled.map(({ unit }) => unit.userId),
      );
      const userOf = new Map(items.map(({ unit, user }) => [unit, user]));
      return units.map((unit): Prepared<T> => {
        if (done.has(unit.messageId)) return { outcome: 'duplicate' };
        const prepared = preparedOf.get(unit);
        if (prepared instanceof StepSkip)
          return { outcome: claimed.has(unit.messageId) ? 'skipped' : 'duplicate' };
        return { prepared: prepared as T, user: userOf.get(unit)! };
      });
    });
  }

  private logOutcome(unit: StepUnit, outcome: StepOutcome): void {
    this.logger.log(
      outcome === 'duplicate'
        ? `message ${unit.messageId} was processed before; ${unit.step} skipped`
        : `${unit.step} of user ${unit.userId} ${outcome}`,
    );
  }

  /** By unit: what `work` gave it, or a skip when its user was erased (with `skipErased`, not given to `work`). */
  private async resultsOf<R>(
    items: readonly UnitOfUser[],
    skipErased: boolean,
    work: (items: readonly UnitOfUser[]) => Promise<readonly R[]>,
  ): Promise<Map<StepUnit, R | StepSkip>> {
    const erased = (item: UnitOfUser) => skipErased && item.user.status === 'erased';
    const working = items.filter((item) => !erased(item));
    const produced = working.length > 0 ? await work(working) : [];
    const results = new Map<StepUnit, R | StepSkip>();
    working.forEach((item, index) => results.set(item.unit, produced[index]));
    for (const item of items) if (erased(item)) results.set(item.unit, new StepSkip('the user was erased'));
    return results;
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
