import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { startApi } from '../support/apps';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';

/**
 * The relay inside real API instances, against the real broker, with no worker: each test binds its own probe
 * queue to observe what gets published, so none depends on another's rows.
 */
describe('outbox relay', () => {
  let env: TestEnvironment;
  const apps: NestFastifyApplication[] = [];
  let amqp: Awaited<ReturnType<typeof connect>>;
  let channel: Awaited<ReturnType<typeof amqp.createChannel>>;

  beforeAll(async () => {
    env = await createTestEnvironment();
    amqp = await connect(env.rabbitmqUrl);
    channel = await amqp.createChannel();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await amqp?.close();
    await env?.cleanup();
  });

  const startRelay = async (overrides: Record<string, string> = {}) => {
    const app = await startApi(env.config({ OUTBOX_POLL_INTERVAL_MS: '100', ...overrides }));
    apps.push(app);
    return app;
  };

  /** Rows of a routing key of the test's own, so that only its probe queue sees them. */
  const enqueue = async (routingKey: string, count: number) => {
    const ids = Array.from({ length: count }, () => randomUUID());
    await env.query(
      `INSERT INTO outbox_messages (id, routing_key, payload, headers)
       SELECT id, $2, jsonb_build_object('userId', id), '{}'::jsonb FROM unnest($1::uuid[]) AS id`,
      [ids, routingKey],
    );
    return ids;
  };

  /** A queue bound to `routingKey`; returns the message ids it receives. */
  const probe = async (routingKey: string) => {
    const queue = `${env.topologyPrefix}.probe.${randomUUID()}`;
    env.trackQueue(queue);
    const received: string[] = [];
    await channel.assertQueue(queue, { durable: false });
    await channel.bindQueue(queue, `${env.topologyPrefix}.events`, routingKey);
    await channel.consume(
      queue,
      (message) => message && received.push(String(message.properties.messageId)),
      {
        noAck: true,
      },
    );
    return received;
  };

  const row = async (id: string) =>
    (
      await env.query<{ published_at: Date | null; publish_attempts: number; last_error: string | null }>(
        'SELECT published_at, publish_attempts, last_error FROM outbox_messages WHERE id = $1',
        [id],
      )
    )[0];

  it('when no queue is bound to the routing key, then the message stays pending with the broker’s reason', async () => {
    await startRelay();
    const [id] = await enqueue('test.unbound', 1);

    const failed = await eventually(async () => ((await row(id))?.last_error ? row(id) : undefined), {
      what: 'the failed publish recorded',
    });

    expect(failed.published_at).toBeNull();
    expect(failed.last_error).toMatch(/NO_ROUTE/);
  });

  it('when a queue is bound after a failed publish, then the pending message is published, once', async () => {
    const [id] = await enqueue('test.bound-later', 1);
    await eventually(async () => (await row(id))?.last_error, { what: 'the first publish refused' });

    const received = await probe('test.bound-later');

    await eventually(async () => received.includes(id), { timeoutMs: 40_000, what: 'the retried publish' });
    // The row is marked after the broker's confirm, so the consumer may see the message a moment earlier.
    await eventually(async () => (await row(id))?.published_at, { what: 'the row marked published' });
    expect(received.filter((received) => received === id)).toHaveLength(1);
  });

  it('when three API replicas relay 300 rows at once, then each row is published exactly once', async () => {
    await startRelay({ OUTBOX_BATCH_SIZE: '20' });
    await startRelay({ OUTBOX_BATCH_SIZE: '20' });
    const received = await probe('test.replicas');

    const ids = await enqueue('test.replicas', 300);

    await eventually(async () => ids.every((id) => received.includes(id)), { what: 'all 300 published' });
    await eventually(
      async () =>
        (
          await env.query(
            `SELECT id FROM outbox_messages WHERE id = ANY($1::uuid[]) AND published_at IS NULL`,
            [ids],
          )
        ).length === 0,
      { what: 'every row marked published' },
    );
    expect(new Set(received).size).toBe(received.length);
    expect(received).toHaveLength(300);
  });

  it('when the broker does not confirm, then no transaction stays open while the relay waits, and the row is published once it does', async () => {
    // Only the relay behind the stalled link may claim the row.
    for (const app of apps.splice(0)) await app.close();
    const brokerLink = await TcpProxy.start(env.rabbitmqUrl);
    try {
      const relay = await startRelay({
        RABBITMQ_URL: brokerLink.rewrite(env.rabbitmqUrl),
        RABBITMQ_PUBLISH_TIMEOUT_MS: '3000',
      });
      const received = await probe('test.unconfirmed');
      await eventually(async () => (await relay.inject({ url: '/health/ready' })).statusCode === 200);
      brokerLink.stall();

      const [id] = await enqueue('test.unconfirmed', 1);
      await eventually(async () => (await row(id))?.publish_attempts === 1, { what: 'the row claimed' });

      // Claimed and published, waiting for a confirm that cannot come: no session of the test database is in
      // a transaction (a claim held open across the wait would show as "idle in transaction").
      const open = await env.query<{ state: string }>(
        `SELECT state FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`,
      );
      expect(open).toEqual([]);
      brokerLink.resume();
      await eventually(async () => received.includes(id), { timeoutMs: 40_000, what: 'the publish' });
      await eventually(async () => (await row(id))?.published_at, { what: 'the row marked published' });
    } finally {
      await brokerLink.stop();
    }
  });
});
