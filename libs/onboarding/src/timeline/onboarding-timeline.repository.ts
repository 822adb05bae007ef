import { PreparedStatement, queryPrepared } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { OnboardingStep } from './onboarding-step.entity';
import type { StepUnit } from './step-unit';

/** A unit that is done: completed, or skipped with the reason why. */
export interface SettledUnit {
  unit: StepUnit;
  status: 'completed' | 'skipped';
  reason?: string;
}

/** The columns every unit row starts with, as arrays for `unnest`. */
function unitColumns(units: readonly StepUnit[]): unknown[][] {
  return [
    units.map((unit) => unit.userId),
    units.map((unit) => unit.step),
    units.map((unit) => unit.unit),
    units.map((unit) => unit.required),
    units.map((unit) => unit.messageId),
    units.map((unit) => JSON.stringify(unit.detail ?? {})),
  ];
}

const SCHEDULE_MANY_SQL = PreparedStatement.define(
  'onboarding-timeline.scheduleMany',
  `INSERT INTO onboarding_steps (user_id, step, unit, status, attempts, required, message_id, detail, updated_at)
  SELECT user_id, step, unit, 'pending', 0, required, message_id, detail, now()
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::jsonb[])
    AS scheduled (user_id, step, unit, required, message_id, detail)
  ON CONFLICT (user_id, step, unit) DO NOTHING`,
);

/**
 * Settles units ({@link SettledUnit}) from the parameters {@link settledUnitParameters} gives ($1-$8): exported
 * for the statement that settles units and derives their users' status in one go (OnboardingStatusUpdater).
 */
export const SETTLE_UNITS_INSERT = `INSERT INTO onboarding_steps (user_id, step, unit, status, attempts, required, message_id, detail,
    skipped_reason, started_at, updated_at, completed_at)
  SELECT user_id, step, unit, status, 1, required, message_id, detail, reason, now(), now(), now()
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::jsonb[], $7::text[],
              $8::text[])
    AS settled (user_id, step, unit, required, message_id, detail, status, reason)
  ON CONFLICT (user_id, step, unit) DO UPDATE
    SET status = EXCLUDED.status, attempts = onboarding_steps.attempts + 1, last_error = NULL,
        skipped_reason = EXCLUDED.skipped_reason, message_id = EXCLUDED.message_id,
        started_at = COALESCE(onboarding_steps.started_at, now()), updated_at = now(),
        completed_at = now(), dead_lettered_at = NULL`;

/** The parameters of {@link SETTLE_UNITS_INSERT}. */
export function settledUnitParameters(settled: readonly SettledUnit[]): unknown[] {
  return [
    ...unitColumns(settled.map(({ unit }) => unit)),
    settled.map(({ status }) => status),
    settled.map(({ reason }) => reason ?? null),
  ];
}

const SETTLE_MANY_SQL = PreparedStatement.define('onboarding-timeline.settleMany', SETTLE_UNITS_INSERT);

const RECORD_FAILED_ATTEMPT_SQL = PreparedStatement.define(
  'onboarding-timeline.recordFailedAttempt',
  `INSERT INTO onboarding_steps (user_id, step, unit, status, attempts, last_error, required, message_id,
    detail, started_at, updated_at)
  SELECT $1, $2, $3, 'pending', 1, $4, $5, $6, $7::jsonb, now(), now()
  WHERE EXISTS (SELECT 1 FROM users WHERE id = $1)
  ON CONFLICT (user_id, step, unit) DO UPDATE
    SET attempts = onboarding_steps.attempts + 1, last_error = EXCLUDED.last_error,
        started_at = COALESCE(onboarding_steps.started_at, now()), updated_at = now()
    WHERE onboarding_steps.status NOT IN ('completed', 'skipped')`,
);

const MARK_DEAD_LETTERED_SQL = PreparedStatement.define(
  'onboarding-timeline.markDeadLettered',
  `INSERT INTO onboarding_steps (user_id, step, unit, status, attempts, last_error, required, message_id,
    detail, updated_at, dead_lettered_at)
  SELECT $1, $2, $3, 'failed', 0, $4, $5, $6, $7::jsonb, now(), now()
  WHERE EXISTS (SELECT 1 FROM users WHERE id = $1)
  ON CONFLICT (user_id, step, unit) DO UPDATE
    SET status = 'failed', last_error = EXCLUDED.last_error, updated_at = now(), dead_lettered_at = now()
    WHERE onboarding_steps.status NOT IN ('completed', 'skipped')
  RETURNING 1`,
);

const MARK_RETRYING_SQL = PreparedStatement.define(
  'onboarding-timeline.markRetrying',
  `UPDATE onboarding_steps SET status = 'pending', dead_lettered_at = NULL, updated_at = now()
  WHERE user_id = $1 AND step = $2 AND unit = $3 AND status = 'failed'`,
);

/** The per-user, per-step-unit onboarding record. Every write runs in the caller's transaction. */
@Injectable()
export class OnboardingTimelineRepository {
  constructor(@InjectRepository(OnboardingStep) private readonly steps: Repository<OnboardingStep>) {}

  /** A unit that has been scheduled (its message is in the outbox); a unit known already is left as it is. */
  async schedule(manager: EntityManager, unit: StepUnit): Promise<void> {
    await this.scheduleMany(manager, [unit]);
  }

  /** {@link schedule} for several units, in one statement. */
  async scheduleMany(manager: EntityManager, units: readonly StepUnit[]): Promise<void> {
    if (units.length === 0) return;
    await queryPrepared(manager, SCHEDULE_MANY_SQL, unitColumns(units));
  }

  /**
   * Creates or completes the unit's row. `attempts` counts every attempt: failed ones were counted by
   * {@link recordFailedAttempt}, and this one is added.
   */
  async markCompleted(manager: EntityManager, unit: StepUnit): Promise<void> {
    await this.settleMany(manager, [{ unit, status: 'completed' }]);
  }

  /** There is nothing to do any more (the user was erased, or is verified already): recorded as a no-op. */
  async markSkipped(manager: EntityManager, unit: StepUnit, reason: string): Promise<void> {
    await this.settleMany(manager, [{ unit, status: 'skipped', reason }]);
  }

  /**
   * {@link markCompleted} and {@link markSkipped} for several units, in one statement; each unit at most once (a
   * statement cannot settle the same row twice).
   */
  async settleMany(manager: EntityManager, settled: readonly SettledUnit[]): Promise<void> {
    if (settled.length === 0) return;
    await queryPrepared(manager, SETTLE_MANY_SQL, settledUnitParameters(settled));
  }

  /**
   * Counts a failed attempt at the unit and keeps its error. A new row is `pending`; an existing row keeps its
   * status (whether a retry follows is the transport's decision; the dead-letter reaction marks it failed when
   * none will). Nothing happens for a user that does not exist, or for a unit already completed or skipped.
   */
  async recordFailedAttempt(manager: EntityManager, unit: StepUnit, error: string): Promise<void> {
    await queryPrepared(manager, RECORD_FAILED_ATTEMPT_SQL, [
      unit.userId,
      unit.step,
      unit.unit,
      error,
      unit.required,
      unit.messageId,
      JSON.stringify(unit.detail ?? {}),
    ]);
  }

  /** The unit's message was dead-lettered: it has failed, unless it completed after all (a late duplicate). */
  async markDeadLettered(manager: EntityManager, unit: StepUnit, error: string): Promise<boolean> {
    const rows: unknown[] = await queryPrepared(manager, MARK_DEAD_LETTERED_SQL, [
      unit.userId,
      unit.step,
      unit.unit,
      error,
      unit.required,
      unit.messageId,
      JSON.stringify(unit.detail ?? {}),
    ]);
    return rows.length > 0;
  }

  /** A failed unit is being retried: pending again (its dead letter replayed), in the caller's transaction. */
  async markRetrying(manager: EntityManager, userId: string, step: string, unit: string): Promise<void> {
    await queryPrepared(manager, MARK_RETRYING_SQL, [userId, step, unit]);
  }

  findByUser(userId: string): Promise<OnboardingStep[]> {
    return this.steps.find({ where: { userId }, order: { createdAt: 'ASC', step: 'ASC', unit: 'ASC' } });
  }

  /** The user's failed units of `step`, locked for the caller's transaction. */
  findFailed(manager: EntityManager, userId: string, step: string): Promise<OnboardingStep[]> {
    return manager.find(OnboardingStep, {
      where: { userId, step, status: 'failed' },
      lock: { mode: 'pessimistic_write' },
    });
  }
}
