import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { startApi } from '../support/apps';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';

/**
 * The relay inside real API instances, against the real broker, with no worker: the test binds its own probe
 * queue to observe what gets published.
 */
describe('outbox relay', () => {
  let env: TestEnvironment;
  let probeQueue: string;
  const apps: NestFastifyApplication[] = [];
  let amqp: Awaited<ReturnType<typeof connect>>;
  let channel: Awaited<ReturnType<typeof amqp.createChannel>>;
  const received: string[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    probeQueue = `${env.topologyPrefix}.probe`;
    amqp = await connect(env.rabbitmqUrl);
    channel = await amqp.createChannel();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await channel?.deleteQueue(probeQueue);
    await amqp?.close();
    await env?.cleanup();
  });

  const enqueue = async (count: number) => {
    const ids = Array.from({ length: count }, () => randomUUID());
    await env.query(
      `INSERT INTO outbox_messages (id, routing_key, payload, headers)
       SELECT id, 'user.registered', jsonb_build_object('userId', id), '{}'::jsonb FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
    return ids;
  };

  const pendingRow = async (id: string) =>
    (
      await env.query<{ published_at: Date | null; publish_attempts: number; last_error: string | null }>(
        'SELECT published_at, publish_attempts, last_error FROM outbox_messages WHERE id = $1',
        [id],
      )
    )[0];

  it('when no queue is bound to the routing key, then the message stays pending with the broker’s reason', async () => {
    apps.push(await startApi(env.config({ OUTBOX_POLL_INTERVAL_MS: '100' })));
    const [id] = await enqueue(1);

    const row = await eventually(async () => {
      const current = await pendingRow(id);
      return current && current.publish_attempts > 0 ? current : undefined;
    });

    expect(row.published_at).toBeNull();
    expect(row.last_error).toMatch(/NO_ROUTE/);
  });

  it('when a queue is bound later, then the pending message is published, once', async () => {
    await channel.assertQueue(probeQueue, { durable: false, autoDelete: false });
    await channel.bindQueue(probeQueue, `${env.topologyPrefix}.events`, 'user.registered');
    await channel.consume(
      probeQueue,
      (message) => {
        if (message) received.push(String(message.properties.messageId));
      },
      { noAck: true },
    );
    const [unroutableId] = (await env.query<{ id: string }>('SELECT id FROM outbox_messages')).map(
      (row) => row.id,
    );

    await eventually(async () => received.includes(unroutableId), {
      timeoutMs: 40_000,
      what: 'the retried publish',
    });

    // The row is marked after the broker's confirm, so the consumer may see the message a moment earlier.
    await eventually(async () => (await pendingRow(unroutableId))?.published_at, {
      what: 'the row marked published',
    });
    expect(received.filter((id) => id === unroutableId)).toHaveLength(1);
  });

  it('when three API replicas relay 300 rows at once, then each row is published exactly once', async () => {
    apps.push(await startApi(env.config({ OUTBOX_POLL_INTERVAL_MS: '100', OUTBOX_BATCH_SIZE: '20' })));
    apps.push(await startApi(env.config({ OUTBOX_POLL_INTERVAL_MS: '100', OUTBOX_BATCH_SIZE: '20' })));
    received.length = 0;

    const ids = await enqueue(300);

    await eventually(async () => ids.every((id) => received.includes(id)), { what: 'all 300 published' });
    await eventually(
      async () => (await env.query('SELECT id FROM outbox_messages WHERE published_at IS NULL')).length === 0,
      { what: 'every row marked published' },
    );
    expect(new Set(received).size).toBe(received.length);
  });
});
