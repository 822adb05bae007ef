import { PreparedStatement, queryPrepared } from '@app/database';
import type { OnboardingStatus } from '@app/users';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { REQUIRED_STEP_NAMES } from './steps/onboarding-steps';
import {
  SETTLE_UNITS_INSERT,
  SettledUnit,
  settledUnitParameters,
} from './timeline/onboarding-timeline.repository';

/**
 * Sets each user's status from `requiredUnits` (a relation of `user_id, step, status`: its required step units),
 * `requiredSteps` being the parameter that holds how many required steps there are.
 */
const updateStatusFrom = (requiredUnits: string, requiredSteps: string) =>
  `UPDATE users SET onboarding_status = next.status
  FROM (SELECT user_id,
               CASE
                 WHEN count(*) FILTER (WHERE status = 'failed') > 0 THEN 'failed'
                 WHEN count(DISTINCT step) FILTER (WHERE status IN ('completed', 'skipped')) >= ${requiredSteps}
                   THEN 'completed'
                 ELSE 'pending'
               END AS status
        FROM ${requiredUnits}
        GROUP BY user_id) next
  WHERE users.id = next.user_id AND users.status <> 'erased' AND users.onboarding_status <> next.status
  RETURNING users.id, users.onboarding_status`;

const REFRESH_MANY_SQL = PreparedStatement.define(
  'onboarding-status.refreshMany',
  updateStatusFrom(
    '(SELECT user_id, step, status FROM onboarding_steps WHERE user_id = ANY($1::uuid[]) AND required) units',
    '$2',
  ),
);

// One statement reads one snapshot, which does not hold what its own INSERT writes: the users' units are the
// rows as they were, each settled unit's in place of its old row (or new).
const SETTLE_AND_REFRESH_SQL = PreparedStatement.define(
  'onboarding-status.settleAndRefresh',
  `WITH settled AS (
    ${SETTLE_UNITS_INSERT}
    RETURNING user_id, step, unit, status, required
  ), units AS (
    SELECT user_id, step, status FROM onboarding_steps earlier
    WHERE user_id = ANY($9::uuid[]) AND required
      AND NOT EXISTS (SELECT 1 FROM settled
                      WHERE settled.user_id = earlier.user_id AND settled.step = earlier.step
                        AND settled.unit = earlier.unit)
    UNION ALL
    SELECT user_id, step, status FROM settled WHERE user_id = ANY($9::uuid[]) AND required
  )
  ${updateStatusFrom('units', '$10')}`,
);

/**
 * A user's onboarding status, derived from its required step units: `failed` when one has failed (dead-lettered),
 * `completed` when every required step's unit is completed or skipped, `pending` otherwise. An erased user's is
 * left as it was (the timeline shows the steps skipped since).
 */
@Injectable()
export class OnboardingStatusUpdater {
  /** @returns the new status when it changed */
  async refresh(manager: EntityManager, userId: string): Promise<OnboardingStatus | undefined> {
    return (await this.refreshMany(manager, [userId])).get(userId);
  }

  /** {@link refresh} for several users in one statement. @returns the users whose status changed, with the new one */
  async refreshMany(
    manager: EntityManager,
    userIds: readonly string[],
  ): Promise<Map<string, OnboardingStatus>> {
    if (userIds.length === 0) return new Map();
    return changedStatuses(
      await queryPrepared(manager, REFRESH_MANY_SQL, [userIds, REQUIRED_STEP_NAMES.length]),
    );
  }

  /**
   * `OnboardingTimelineRepository.settleMany(settled)`, then {@link refreshMany} of `userIds`, in one statement
   * (one round trip where a step's transaction took two).
   * @returns the users whose status changed, with the new one
   */
  async settleAndRefresh(
    manager: EntityManager,
    settled: readonly SettledUnit[],
    userIds: readonly string[],
  ): Promise<Map<string, OnboardingStatus>> {
    if (settled.length === 0) return this.refreshMany(manager, userIds);
    return changedStatuses(
      await queryPrepared(manager, SETTLE_AND_REFRESH_SQL, [
        ...settledUnitParameters(settled),
        userIds,
        REQUIRED_STEP_NAMES.length,
      ]),
    );
  }
}

/** TypeORM answers an UPDATE with [rows, affected count]. */
function changedStatuses([rows]: [{ id: string; onboarding_status: OnboardingStatus }[], number]): Map<
  string,
  OnboardingStatus
> {
  return new Map(rows.map((row) => [row.id, row.onboarding_status]));
}
