import { PreparedStatement, queryPrepared } from '@app/database';
import type { OnboardingStatus } from '@app/users';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { REQUIRED_STEP_NAMES } from './steps/onboarding-steps';

const REFRESH_MANY_SQL = PreparedStatement.define(
  'onboarding-status.refreshMany',
  `UPDATE users SET onboarding_status = next.status
  FROM (SELECT user_id,
               CASE
                 WHEN count(*) FILTER (WHERE status = 'failed') > 0 THEN 'failed'
                 WHEN count(DISTINCT step) FILTER (WHERE status IN ('completed', 'skipped')) >= $2 THEN 'completed'
                 ELSE 'pending'
               END AS status
        FROM onboarding_steps WHERE user_id = ANY($1::uuid[]) AND required
        GROUP BY user_id) next
  WHERE users.id = next.user_id AND users.status <> 'erased' AND users.onboarding_status <> next.status
  RETURNING users.id, users.onboarding_status`,
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
    const [rows]: [{ id: string; onboarding_status: OnboardingStatus }[], number] = await queryPrepared(
      manager,
      REFRESH_MANY_SQL,
      [userIds, REQUIRED_STEP_NAMES.length],
    );
    return new Map(rows.map((row) => [row.id, row.onboarding_status]));
  }
}
