import type { AppConfig } from '@app/config';
import { retryQueueName, RetryTiers, topologyNames } from '@app/messaging';
import { onboardingRetryPolicies } from '@app/onboarding';
import { USER_EVENTS } from '@app/users';
import { workerQueues } from '../../../apps/worker/src/worker.queues';
import { BrokerProbe } from '../../support/broker';
import type { TestEnvironment } from '../../support/test-environment';

/** A user that is neither onboarded nor dead-lettered (yet; lost, if this is the final word). */
export interface PendingUser {
  userId: string;
  onboardingStatus: string;
  outboxRows: number;
  published: boolean;
  publishAttempts: number | null;
  lastPublishError: string | null;
}

export interface DeadLetteredUser {
  userId: string;
  reason: string;
}

/** Where every registered user stands, and whether anything is still on its way. */
export interface AuditSnapshot {
  users: number;
  completed: number;
  pending: PendingUser[];
  deadLettered: DeadLetteredUser[];
  /** Outbox rows the relay has not (yet) marked published. */
  unpublishedOutbox: number;
  /** Ready messages in the worker queue and each retry tier (a redelivered duplicate may still be there). */
  queued: Record<string, number>;
}

/** Breaches of "onboarded exactly once"; each list must be empty. */
export interface EffectAnomalies {
  /** A user acknowledged with a 201 that is not in the database. */
  acknowledgedButMissing: string[];
  /** A user without exactly one `user.registered` outbox row. */
  outboxRowsPerUser: { userId: string; rows: number }[];
  /** A completed user's message without exactly one inbox row. */
  inboxRowsPerMessage: { messageId: string; rows: number }[];
  /** An inbox row for a message the outbox never held. */
  strayInboxRows: string[];
  /** A completed user whose steps are not all completed, or who lacks the provision-account step. */
  steps: { userId: string; steps: string }[];
  /** A user, or a user's step, marked completed by more than one committed transaction (or by none). */
  completions: { userId: string; step: string; times: number }[];
}

/**
 * Test-owned triggers that record every committed completion: of a step (its row becomes completed, or its
 * `completed_at` changes) and of a user's onboarding. A message processed twice would leave two records, even
 * though the tables' primary keys keep a single row. They live in the test's throwaway database only.
 */
const COMPLETION_LEDGER_SQL = `
  CREATE TABLE fault_audit_completions (
    user_id uuid NOT NULL,
    step text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
  );
  CREATE FUNCTION fault_audit_record_step() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.status = 'completed' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'completed'
        OR NEW.completed_at IS DISTINCT FROM OLD.completed_at) THEN
      INSERT INTO fault_audit_completions (user_id, step) VALUES (NEW.user_id, NEW.step);
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER fault_audit_step_completed AFTER INSERT OR UPDATE ON onboarding_steps
    FOR EACH ROW EXECUTE FUNCTION fault_audit_record_step();
  CREATE FUNCTION fault_audit_record_user() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO fault_audit_completions (user_id, step) VALUES (NEW.id, '(onboarding)');
    RETURN NULL;
  END $$;
  CREATE TRIGGER fault_audit_user_completed AFTER UPDATE OF onboarding_status ON users
    FOR EACH ROW WHEN (NEW.onboarding_status = 'completed') EXECUTE FUNCTION fault_audit_record_user();
`;

/**
 * Counts, at the end of a fault test, what became of every registered user: onboarded (`completed`),
 * dead-lettered with a reason (the `dead_letters` ledger table when it exists, else the `<prefix>.dlq` queue),
 * or neither: lost. Then checks that nothing happened twice.
 */
export class OnboardingAudit {
  private readonly drainedDeadLetters: DeadLetteredUser[] = [];

  private constructor(
    private readonly env: TestEnvironment,
    private readonly broker: BrokerProbe,
    private readonly queues: string[],
  ) {}

  /**
   * Installs the completion ledger (before any message is processed: open it before starting the apps).
   * `config`: the worker's, to know its retry-tier queues.
   */
  static async open(env: TestEnvironment, config: AppConfig): Promise<OnboardingAudit> {
    await env.query(COMPLETION_LEDGER_SQL);
    const broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
    const names = topologyNames(env.topologyPrefix);
    const queues = [
      ...workerQueues(names, config)
        .filter((queue) => queue.role === 'work')
        .map((queue) => queue.name),
      ...RetryTiers.fromPolicies(onboardingRetryPolicies(config.retry)).delaysMs.map((delay) =>
        retryQueueName(names, delay),
      ),
    ];
    return new OnboardingAudit(env, broker, queues);
  }

  async close(): Promise<void> {
    await this.broker.close();
  }

  /**
   * Polls until every user is completed or dead-lettered, every outbox row is published and the worker's
   * queues are empty; returns the last snapshot, settled or not (the caller asserts on it).
   */
  async waitUntilSettled(timeoutMs: number): Promise<AuditSnapshot> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const snapshot = await this.snapshot();
      const quiet = Object.values(snapshot.queued).every((depth) => depth === 0);
      if (
        (snapshot.pending.length === 0 && snapshot.unpublishedOutbox === 0 && quiet) ||
        Date.now() > deadline
      )
        return snapshot;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async snapshot(): Promise<AuditSnapshot> {
    const users = await this.env.query<{
      id: string;
      onboarding_status: string;
      outbox_rows: number;
      unpublished: number;
      publish_attempts: number | null;
      last_error: string | null;
    }>(
      `SELECT u.id, u.onboarding_status,
              count(o.id)::int AS outbox_rows,
              count(o.id) FILTER (WHERE o.published_at IS NULL)::int AS unpublished,
              max(o.publish_attempts) AS publish_attempts, max(o.last_error) AS last_error
       FROM users u LEFT JOIN outbox_messages o ON o.payload->>'userId' = u.id::text AND o.routing_key = $1
       GROUP BY u.id ORDER BY u.id`,
      [USER_EVENTS.registered],
    );
    const [{ unpublished }] = await this.env.query<{ unpublished: number }>(
      'SELECT count(*)::int AS unpublished FROM outbox_messages WHERE published_at IS NULL',
    );
    const deadLettered = await this.deadLetters(users.map((user) => user.id));
    const deadLetteredIds = new Set(deadLettered.map((entry) => entry.userId));
    const queued: Record<string, number> = {};
    for (const queue of this.queues) queued[queue] = await this.broker.queueDepthIfDeclared(queue);
    return {
      users: users.length,
      completed: users.filter((user) => user.onboarding_status === 'completed').length,
      pending: users
        .filter((user) => user.onboarding_status !== 'completed' && !deadLetteredIds.has(user.id))
        .map((user) => ({
          userId: user.id,
          onboardingStatus: user.onboarding_status,
          outboxRows: user.outbox_rows,
          published: user.outbox_rows > 0 && user.unpublished === 0,
          publishAttempts: user.publish_attempts,
          lastPublishError: user.last_error,
        })),
      deadLettered,
      unpublishedOutbox: unpublished,
      queued,
    };
  }

  /** Everything that would mean a lost acknowledgement or a second effect. */
  async anomalies(acknowledgedIds: string[]): Promise<EffectAnomalies> {
    const existing = await this.env.query<{ id: string }>('SELECT id FROM users WHERE id = ANY($1::uuid[])', [
      acknowledgedIds,
    ]);
    const existingIds = new Set(existing.map((row) => row.id));
    const outboxRowsPerUser = await this.env.query<{ userId: string; rows: number }>(
      `SELECT u.id AS "userId", count(o.id)::int AS rows
       FROM users u LEFT JOIN outbox_messages o ON o.payload->>'userId' = u.id::text AND o.routing_key = $1
       GROUP BY u.id HAVING count(o.id) <> 1 ORDER BY u.id`,
      [USER_EVENTS.registered],
    );
    const messageId = await this.messageIdOf('o');
    const inboxRowsPerMessage = await this.env.query<{ messageId: string; rows: number }>(
      `SELECT ${messageId} AS "messageId", count(i.message_id)::int AS rows
       FROM outbox_messages o
       JOIN users u ON u.id::text = o.payload->>'userId' AND u.onboarding_status = 'completed'
       LEFT JOIN inbox_messages i ON i.message_id = ${messageId}
       WHERE o.routing_key = $1
       GROUP BY 1 HAVING count(i.message_id) <> 1 ORDER BY 1`,
      [USER_EVENTS.registered],
    );
    const strayInboxRows = await this.env.query<{ message_id: string }>(
      `SELECT message_id FROM inbox_messages
       WHERE message_id NOT IN (SELECT ${messageId} FROM outbox_messages o) ORDER BY 1`,
    );
    const steps = await this.env.query<{ userId: string; steps: string }>(
      `SELECT u.id AS "userId", coalesce(string_agg(s.step || ':' || s.status, ', '), '') AS steps
       FROM users u LEFT JOIN onboarding_steps s ON s.user_id = u.id
       WHERE u.onboarding_status = 'completed'
       GROUP BY u.id
       HAVING count(s.step) FILTER (WHERE s.step = 'provision-account') <> 1
           OR count(s.step) FILTER (WHERE s.status <> 'completed') > 0
       ORDER BY u.id`,
    );
    // Every completed user and each of its completed steps: exactly one committed completion.
    const completions = await this.env.query<{ userId: string; step: string; times: number }>(
      `WITH expected AS (
         SELECT id AS user_id, '(onboarding)' AS step FROM users WHERE onboarding_status = 'completed'
         UNION SELECT user_id, step FROM onboarding_steps WHERE status = 'completed'
         UNION SELECT user_id, step FROM fault_audit_completions
       )
       SELECT e.user_id AS "userId", e.step, count(c.user_id)::int AS times
       FROM expected e LEFT JOIN fault_audit_completions c ON c.user_id = e.user_id AND c.step = e.step
       GROUP BY e.user_id, e.step HAVING count(c.user_id) <> 1 ORDER BY e.user_id, e.step`,
    );
    return {
      acknowledgedButMissing: acknowledgedIds.filter((id) => !existingIds.has(id)),
      outboxRowsPerUser,
      inboxRowsPerMessage,
      strayInboxRows: strayInboxRows.map((row) => row.message_id),
      steps,
      completions,
    };
  }

  /**
   * Dead-lettered users with their reason: from the dead-letter ledger table when there is one (the worker
   * moves the DLQ into it, so the DLQ is left alone), else from the DLQ itself.
   */
  private async deadLetters(userIds: string[]): Promise<DeadLetteredUser[]> {
    const userOf = (text: string) =>
      userIds.find((id) => text.includes(id)) ?? `unknown (${text.slice(0, 100)})`;
    const [{ ledger }] = await this.env.query<{ ledger: boolean }>(
      `SELECT to_regclass('dead_letters') IS NOT NULL AS ledger`,
    );
    if (ledger) {
      const rows = await this.env.query<{ row: string }>(
        'SELECT row_to_json(d)::text AS row FROM dead_letters d ORDER BY 1',
      );
      return rows.map(({ row }) => ({ userId: userOf(row), reason: row.slice(0, 500) }));
    }
    for (const message of await this.broker.drainDeadLetters()) {
      const headers = message.properties.headers ?? {};
      this.drainedDeadLetters.push({
        userId: userOf(message.content.toString('utf8')),
        reason: `${String(headers['x-error-code'])}: ${String(headers['x-error-message'])}`,
      });
    }
    return [...this.drainedDeadLetters];
  }

  /**
   * The id a `user.registered` outbox row is published under: its own, unless it carries the `message_id` of
   * the message it replays (when the schema has that column).
   */
  private async messageIdOf(alias: string): Promise<string> {
    const [{ replayable }] = await this.env.query<{ replayable: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                      WHERE table_name = 'outbox_messages' AND column_name = 'message_id') AS replayable`,
    );
    return replayable ? `coalesce(${alias}.message_id, ${alias}.id::text)` : `${alias}.id::text`;
  }
}
