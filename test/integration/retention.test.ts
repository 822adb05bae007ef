import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { RetentionJob } from '../../apps/worker/src/retention/retention.job';
import { startWorker } from '../support/apps';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, depth first. */
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/**
 * Retention of outbox and inbox rows by the worker, on the real PostgreSQL: what is purged and what never is,
 * and the plans of the purges and of the relay's claim over a backlog large enough for the planner to care.
 */
describe('retention of outbox and inbox rows', () => {
  let env: TestEnvironment;
  let worker: NestFastifyApplication;

  beforeAll(async () => {
    env = await createTestEnvironment();
    // Small batches, so that a purge takes several of them.
    worker = await startWorker(env.config({ RETENTION_BATCH_SIZE: '50' }), { waitForConsumer: false });
  });

  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
  });

  const count = async (sql: string, params: unknown[] = []) =>
    (await env.query<{ count: number }>(`SELECT count(*)::int AS count FROM (${sql}) rows`, params))[0].count;

  it('when rows are past their retention, then published outbox rows and old inbox rows go, in batches; pending and recent ones stay', async () => {
    const marker = randomUUID();
    // 120 published 8 days ago (past 7), 30 published yesterday, 20 pending for 30 days (never purged).
    await env.query(
      `INSERT INTO outbox_messages (id, routing_key, payload, created_at, available_at, published_at)
       SELECT gen_random_uuid(), 'test.retention', jsonb_build_object('marker', $1::text), t, t, p
       FROM (SELECT now() - interval '8 days' AS t, now() - interval '8 days' AS p FROM generate_series(1, 120)
             UNION ALL SELECT now() - interval '1 day', now() - interval '1 day' FROM generate_series(1, 30)
             UNION ALL SELECT now() - interval '30 days', NULL FROM generate_series(1, 20)) rows`,
      [marker],
    );
    // 70 processed 15 days ago (past 14), 10 processed today.
    await env.query(
      `INSERT INTO inbox_messages (message_id, handler, processed_at)
       SELECT $1 || ':' || n, 'test.retention', now() - interval '15 days' FROM generate_series(1, 70) n
       UNION ALL SELECT $1 || ':recent:' || n, 'test.retention', now() FROM generate_series(1, 10) n`,
      [marker],
    );

    const purged = await worker.get(RetentionJob).purge();

    expect(purged).toEqual({ outbox: 120, inbox: 70 });
    const outboxLeft = `SELECT 1 FROM outbox_messages WHERE payload->>'marker' = $1`;
    expect(await count(outboxLeft, [marker])).toBe(50);
    expect(await count(`${outboxLeft} AND published_at IS NULL`, [marker])).toBe(20);
    expect(await count(`SELECT 1 FROM inbox_messages WHERE message_id LIKE $1 || '%'`, [marker])).toBe(10);
    await expect(worker.get(RetentionJob).purge()).resolves.toEqual({ outbox: 0, inbox: 0 });
  });

  it('when the tables hold 200,000 rows, then the purges and the relay’s claim use their indexes, not a scan of the table', async () => {
    await env.query(
      `INSERT INTO outbox_messages (id, routing_key, payload, created_at, available_at, published_at)
       SELECT gen_random_uuid(), 'test.plan', '{}'::jsonb, now() - n * interval '1 second',
              now() - n * interval '1 second', CASE WHEN n % 100 = 0 THEN NULL ELSE now() - n * interval '1 second' END
       FROM generate_series(1, 200000) n`,
    );
    await env.query(
      `INSERT INTO inbox_messages (message_id, handler, processed_at)
       SELECT 'plan:' || n, 'test.plan', now() - n * interval '1 second' FROM generate_series(1, 200000) n`,
    );
    await env.query('ANALYZE outbox_messages');
    await env.query('ANALYZE inbox_messages');

    const plan = async (sql: string, params: unknown[]) => {
      const [row] = await env.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) ${sql}`,
        params,
      );
      return nodes(row['QUERY PLAN'][0].Plan);
    };
    const scans = (plan: PlanNode[], table: string) =>
      plan
        .filter((node) => node['Relation Name'] === table)
        .map((node) => `${node['Node Type']} ${node['Index Name'] ?? ''}`.trim());

    // The statements as OutboxRelay, OutboxRetention and InboxRetention run them.
    const claim = await plan(
      `SELECT id FROM outbox_messages WHERE published_at IS NULL AND available_at <= clock_timestamp()
       ORDER BY available_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [100],
    );
    const outboxPurge = await plan(
      `SELECT id FROM outbox_messages WHERE published_at < now() - make_interval(days => $1)
       ORDER BY published_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [7, 1000],
    );
    const inboxPurge = await plan(
      `SELECT message_id, handler FROM inbox_messages WHERE processed_at < now() - make_interval(days => $1)
       ORDER BY processed_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [14, 1000],
    );

    expect(scans(claim, 'outbox_messages')).toEqual([
      expect.stringMatching(/^Index Scan outbox_messages_pending_idx$/),
    ]);
    expect(scans(outboxPurge, 'outbox_messages')).toEqual([
      expect.stringMatching(/^Index Scan outbox_messages_published_at_idx$/),
    ]);
    expect(scans(inboxPurge, 'inbox_messages')).toEqual([
      expect.stringMatching(/^Index Scan inbox_messages_processed_at_idx$/),
    ]);
  });
});
