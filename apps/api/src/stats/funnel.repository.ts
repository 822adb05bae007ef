import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export const FUNNEL_EVENTS = ['registered', 'verified', 'onboarded', 'failed'] as const;
export type FunnelEvent = (typeof FUNNEL_EVENTS)[number];

/** How many users had `event` in hour number `hour` of the range (0 for the hour starting at `from`). */
export interface FunnelEventCount {
  event: FunnelEvent;
  hour: number;
  count: number;
}

export interface FunnelCohort {
  registered: number;
  verified: number;
  onboarded: number;
  failed: number;
  pending: number;
}

/**
 * The events of the funnel, one row per user and event, within [$1, $2):
 * - registered: `users.created_at`;
 * - verified: `users.email_verified_at` (a token or an admin);
 * - onboarded: for a user whose onboarding is `completed`, when the last of its required step units was done
 *   (`completed_at`, which a skipped unit has too); only users with a required unit done in the range can qualify,
 *   found through the partial index on completed_at, which keeps the work to them (the users are then looked up
 *   by id rather than scanned);
 * - failed: for a user whose onboarding is `failed`, when the first of its failed required units was
 *   dead-lettered. A unit retried since is pending or done again (its `dead_lettered_at` cleared), so a failure
 *   that was repaired counts where the user's onboarding then completed, not here: every user is counted in one
 *   outcome, the one it has now, as `onboardingStatus` says.
 * Hours are counted from `from` (not from midnight UTC), so that a console in any time zone gets its own hours.
 */
const EVENTS_SQL = `
  SELECT event, floor(extract(epoch FROM at - $1::timestamptz) / 3600)::int AS hour, count(*)::int AS count
  FROM (
    SELECT 'registered' AS event, created_at AS at FROM users WHERE created_at >= $1 AND created_at < $2
    UNION ALL
    SELECT 'verified', email_verified_at FROM users WHERE email_verified_at >= $1 AND email_verified_at < $2
    UNION ALL
    SELECT 'onboarded', done.at
    FROM (SELECT step.user_id, max(step.completed_at) AS at
          FROM (SELECT DISTINCT user_id FROM onboarding_steps
                WHERE required AND completed_at >= $1 AND completed_at < $2) candidate
          JOIN onboarding_steps step ON step.user_id = candidate.user_id AND step.required
          GROUP BY step.user_id) done
    JOIN users ON users.id = done.user_id AND users.onboarding_status = 'completed'
    WHERE done.at >= $1 AND done.at < $2
    UNION ALL
    SELECT 'failed', broken.at
    FROM (SELECT user_id, min(dead_lettered_at) AS at FROM onboarding_steps
          WHERE required AND status = 'failed' GROUP BY user_id) broken
    JOIN users ON users.id = broken.user_id AND users.onboarding_status = 'failed'
    WHERE broken.at >= $1 AND broken.at < $2
  ) events
  GROUP BY event, hour`;

/** The users registered in the range, by where their onboarding stands now (the index on created_at serves it). */
const COHORT_SQL = `
  SELECT count(*)::int AS registered,
         count(*) FILTER (WHERE email_verified_at IS NOT NULL)::int AS verified,
         count(*) FILTER (WHERE onboarding_status = 'completed')::int AS onboarded,
         count(*) FILTER (WHERE onboarding_status = 'failed')::int AS failed,
         count(*) FILTER (WHERE onboarding_status = 'pending')::int AS pending
  FROM users WHERE created_at >= $1 AND created_at < $2`;

/** Read-only queries behind `GET /stats/funnel`, over users and their onboarding steps. */
@Injectable()
export class FunnelRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The events per hour and the cohort, from one snapshot (a read-only, repeatable-read transaction). */
  read(from: Date, to: Date): Promise<{ events: FunnelEventCount[]; cohort: FunnelCohort }> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager: EntityManager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      const events: FunnelEventCount[] = await manager.query(EVENTS_SQL, [from, to]);
      const [cohort]: FunnelCohort[] = await manager.query(COHORT_SQL, [from, to]);
      return { events, cohort: cohort };
    });
  }
}
