import type { OnboardingStatus } from '@app/users';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { REQUIRED_STEP_NAMES } from './steps/onboarding-steps';

/**
 * A user's onboarding status, derived from its required step units: `failed` when one has failed (dead-lettered),
 * `completed` when every required step's unit is completed or skipped, `pending` otherwise. An erased user's is
 * left as it was (the timeline shows the steps skipped since).
 */
@Injectable()
export class OnboardingStatusUpdater {
  /** @returns the new status when it changed */
  async refresh(manager: EntityManager, userId: string): Promise<OnboardingStatus | undefined> {
    const [rows]: [{ onboarding_status: OnboardingStatus }[], number] = await manager.query(
      `UPDATE users SET onboarding_status = next.status
       FROM (SELECT CASE
                      WHEN count(*) FILTER (WHERE status = 'failed') > 0 THEN 'failed'
                      WHEN count(DISTINCT step) FILTER (WHERE status IN ('completed', 'skipped')) >= $2 THEN 'completed'
                      ELSE 'pending'
                    END AS status
             FROM onboarding_steps WHERE user_id = $1 AND required) next
       WHERE users.id = $1 AND users.status <> 'erased' AND users.onboarding_status <> next.status
       RETURNING users.onboarding_status`,
      [userId, REQUIRED_STEP_NAMES.length],
    );
    return rows[0]?.onboarding_status;
  }
}
