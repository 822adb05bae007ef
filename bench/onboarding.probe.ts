import type { Pool } from 'pg';
import { sleep } from './app.process';
import { round } from './http-load.runner';

/**
 * Between two polls of the database. Each poll counts over the whole users table, which grows to tens of thousands
 * of rows in a run: polled every 50 ms it took a noticeable share of PostgreSQL's CPU from the pipeline it waits
 * for. Rates and lags come from the rows' own timestamps, so the interval only rounds the "caught up" waits.
 */
const POLL_MS = 250;

export interface OnboardingCounts {
  users: number;
  pending: number;
  completed: number;
  failed: number;
  /** Outbox rows not yet confirmed by the broker. */
  unpublished: number;
}

export interface EndToEndStats {
  /** Completed users over (last step completed_at - first users.created_at), both on the database clock. */
  eventsPerSec: number;
  /** users.created_at to the user's last onboarding step's completed_at, in milliseconds. */
  lagMs: { p50: number; p99: number; max: number };
  /** First registration to last completion, database clock. */
  spanMs: number;
  /** Last registration to last completion: how far the pipeline trailed behind the burst. */
  tailMs: number;
}

/**
 * Reads onboarding progress straight from PostgreSQL, the only ground truth for "every user onboarded". Users
 * of one scenario are told apart by their email domain (`emailPattern` is a SQL LIKE pattern).
 */
export class OnboardingProbe {
  constructor(private readonly pool: Pool) {}

  async counts(): Promise<OnboardingCounts> {
    const { rows } = await this.pool.query<Record<keyof OnboardingCounts, string>>(`
      SELECT count(*) AS users,
             count(*) FILTER (WHERE onboarding_status = 'pending') AS pending,
             count(*) FILTER (WHERE onboarding_status = 'completed') AS completed,
             count(*) FILTER (WHERE onboarding_status = 'failed') AS failed,
             (SELECT count(*) FROM outbox_messages WHERE published_at IS NULL) AS unpublished
      FROM users`);
    const row = rows[0];
    return {
      users: Number(row.users),
      pending: Number(row.pending),
      completed: Number(row.completed),
      failed: Number(row.failed),
      unpublished: Number(row.unpublished),
    };
  }

  /** The id of some registered user (for GET /users/{id}). */
  async anyUserId(): Promise<string> {
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM users ORDER BY created_at LIMIT 1',
    );
    if (!rows[0]) throw new Error('no user registered yet');
    return rows[0].id;
  }

  /** Rows in the dead-letter ledger, or null on a schema that has none yet. */
  async deadLetterRows(): Promise<number | null> {
    const { rows } = await this.pool.query<{ exists: boolean }>(
      `SELECT to_regclass('dead_letters') IS NOT NULL AS exists`,
    );
    if (!rows[0].exists) return null;
    const count = await this.pool.query<{ count: string }>('SELECT count(*) AS count FROM dead_letters');
    return Number(count.rows[0].count);
  }

  /** Polls `counts()` until `done` holds or `timeoutMs` passes. */
  async waitFor(
    done: (counts: OnboardingCounts) => boolean,
    timeoutMs: number,
  ): Promise<{ reached: boolean; waitedMs: number; counts: OnboardingCounts }> {
    const started = Date.now();
    for (;;) {
      const counts = await this.counts();
      const waitedMs = Date.now() - started;
      if (done(counts)) return { reached: true, waitedMs, counts };
      if (waitedMs > timeoutMs) return { reached: false, waitedMs, counts };
      await sleep(POLL_MS);
    }
  }

  /** Waits until `expected` users matching the pattern completed onboarding; returns how many did. */
  async waitForCompleted(
    emailPattern: string,
    expected: number,
    timeoutMs: number,
  ): Promise<{ completed: number; timedOut: boolean }> {
    const started = Date.now();
    for (;;) {
      const { rows } = await this.pool.query<{ completed: string }>(
        `SELECT count(*) AS completed FROM users WHERE email LIKE $1 AND onboarding_status = 'completed'`,
        [emailPattern],
      );
      const completed = Number(rows[0].completed);
      if (completed >= expected) return { completed, timedOut: false };
      if (Date.now() - started > timeoutMs) return { completed, timedOut: true };
      await sleep(POLL_MS);
    }
  }

  /** Throughput and lag from registration (users.created_at) to onboarding completed. */
  async endToEnd(emailPattern: string): Promise<EndToEndStats> {
    const { rows } = await this.pool.query<
      Record<'done' | 'span_ms' | 'tail_ms' | 'p50' | 'p99' | 'max', string | null>
    >(
      `WITH done AS (${COMPLETED_USERS}),
            lag AS (SELECT extract(epoch FROM completed_at - created_at) * 1000 AS ms FROM done)
       SELECT (SELECT count(*) FROM done) AS done,
              (SELECT extract(epoch FROM max(completed_at) - min(created_at)) * 1000 FROM done) AS span_ms,
              (SELECT extract(epoch FROM max(completed_at) - max(created_at)) * 1000 FROM done) AS tail_ms,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
              max(ms) AS max
       FROM lag`,
      [emailPattern],
    );
    const stats = rows[0];
    const spanMs = Number(stats.span_ms ?? 0);
    return {
      eventsPerSec: spanMs > 0 ? round(Number(stats.done) / (spanMs / 1000), 1) : 0,
      lagMs: { p50: ms(stats.p50), p99: ms(stats.p99), max: ms(stats.max) },
      spanMs: round(spanMs, 1),
      tailMs: ms(stats.tail_ms),
    };
  }

  /** Completions per second between the first and the last completion: the consumer's rate on a backlog. */
  async completionRate(emailPattern: string): Promise<{ eventsPerSec: number; spanMs: number }> {
    const { rows } = await this.pool.query<{ done: string; span_ms: string | null }>(
      `WITH done AS (${COMPLETED_USERS})
       SELECT count(*) AS done, extract(epoch FROM max(completed_at) - min(completed_at)) * 1000 AS span_ms
       FROM done`,
      [emailPattern],
    );
    const spanMs = Number(rows[0].span_ms ?? 0);
    // n completions span n-1 intervals.
    const intervals = Number(rows[0].done) - 1;
    return { eventsPerSec: spanMs > 0 ? round(intervals / (spanMs / 1000), 1) : 0, spanMs: round(spanMs, 1) };
  }
}

/** Completed users of one scenario with the completion time of their last onboarding step. */
const COMPLETED_USERS = `
  SELECT u.created_at, max(s.completed_at) AS completed_at
  FROM users u JOIN onboarding_steps s ON s.user_id = u.id
  WHERE u.email LIKE $1 AND u.onboarding_status = 'completed'
  GROUP BY u.id, u.created_at`;

const ms = (value: string | null) => round(Number(value ?? 0), 1);
