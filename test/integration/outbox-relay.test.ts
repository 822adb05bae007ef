import { OutboxWriter } from '@app/outbox';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
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
      await env.query<{
        published_at: Date | null;
        publish_attempts: number;
        last_error: string | null;
        lease_ms: number;
      }>(
        `SELECT published_at, publish_attempts, last_error,
                (extract(epoch FROM available_at - created_at) * 1000)::float8 AS lease_ms
         FROM outbox_messages WHERE id = $1`,
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

  describe('handoff at commit', () => {
    /** One API whose relay polls rarely: what arrives within seconds was handed off, not claimed. */
    const startHandoffApi = async () => {
      for (const app of apps.splice(0)) await app.close();
      return startRelay({ OUTBOX_POLL_INTERVAL_MS: '60000' });
    };

    const written = (routingKey: string) => ({ routingKey, payload: { marker: randomUUID() } });

    it('when a transaction writes a message, then it is published when the transaction commits, not before, and never claimed', async () => {
      const api = await startHandoffApi();
      const received = await probe('test.handoff.commit');
      const dataSource = api.get(DataSource);
      const writer = api.get(OutboxWriter);

      let id = '';
      await dataSource.transaction(async (manager) => {
        id = await writer.enqueue(manager, written('test.handoff.commit'));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(received).toEqual([]);
      });

      await eventually(async () => received.includes(id), {
        timeoutMs: 5000,
        what: 'the handed-off message',
      });
      const published = await eventually(async () => ((await row(id))?.published_at ? row(id) : undefined), {
        what: 'the row marked published',
      });
      // Written claimed for the handoff (its lease ahead, its one attempt counted), so no relay took it.
      expect(published.publish_attempts).toBe(1);
      expect(published.lease_ms).toBeGreaterThanOrEqual(10_000);
      expect(received).toEqual([id]);
    });

    it('when a transaction rolls back, then its message is never published', async () => {
      const api = await startHandoffApi();
      const received = await probe('test.handoff.rollback');
      const dataSource = api.get(DataSource);
      const writer = api.get(OutboxWriter);

      let rolledBack = '';
      await expect(
        dataSource.transaction(async (manager) => {
          rolledBack = await writer.enqueue(manager, written('test.handoff.rollback'));
          throw new Error('the change fails after its event was written');
        }),
      ).rejects.toThrow('the change fails');
      // A committed message after it, through the same path: once it is in, the first one had its chance.
      const committed = await dataSource.transaction((manager) =>
        writer.enqueue(manager, written('test.handoff.rollback')),
      );

      await eventually(async () => received.includes(committed), {
        timeoutMs: 5000,
        what: 'the committed one',
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received).toEqual([committed]);
      expect(await row(rolledBack)).toBeUndefined();
    });

    it('when a transaction rolls back to a savepoint, then the rows it rolled back are never published and the rest are left to the relay', async () => {
      const api = await startHandoffApi();
      const received = await probe('test.handoff.savepoint');
      const dataSource = api.get(DataSource);
      const writer = api.get(OutboxWriter);

      let kept = '';
      let undone = '';
      await dataSource.transaction(async (manager) => {
        kept = await writer.enqueue(manager, written('test.handoff.savepoint'));
        await manager
          .transaction(async (savepoint) => {
            undone = await writer.enqueue(savepoint, written('test.handoff.savepoint'));
            throw new Error('the nested change fails');
          })
          .catch(() => undefined);
      });

      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(received).toEqual([]);
      expect(await row(undone)).toBeUndefined();
      // Committed and claimed: any relay publishes it once its lease runs out (the next test).
      expect(await row(kept)).toMatchObject({ published_at: null, publish_attempts: 1 });
    });

    it('when a claimed row is never handed off (its writer crashed), then its insert wakes no relay and a relay publishes it once the lease runs out', async () => {
      await startRelay();
      const received = await probe('test.handoff.orphan');
      const listener = new Client({ connectionString: env.databaseUrl });
      await listener.connect();
      const notifications: string[] = [];
      listener.on('notification', (notification) => notifications.push(notification.channel));
      await listener.query('LISTEN outbox_messages');
      try {
        const [orphan] = await env.query<{ id: string }>(
          `INSERT INTO outbox_messages (id, routing_key, payload, available_at, publish_attempts)
           VALUES ($1, 'test.handoff.orphan', '{}', clock_timestamp() + interval '1.5 seconds', 1) RETURNING id`,
          [randomUUID()],
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(notifications).toEqual([]);
        expect(received).toEqual([]);

        await eventually(async () => received.includes(orphan.id), { timeoutMs: 10_000, what: 'the orphan' });
        expect((await row(orphan.id))?.publish_attempts).toBe(2);

        // A row written due still wakes the relays, even one whose millisecond time rounds past the trigger's
        // clock (here on purpose: due 1 ms after its insert).
        await env.query(
          `INSERT INTO outbox_messages (id, routing_key, payload, available_at)
           VALUES ($1, 'test.handoff.orphan', '{}', clock_timestamp() + interval '1 millisecond')`,
          [randomUUID()],
        );
        await eventually(async () => notifications.length > 0, { what: 'the NOTIFY of a due row' });
      } finally {
        await listener.end();
      }
    });

    it('when a user registers, then its user.registered event is handed off by the one registration statement', async () => {
      const api = await startHandoffApi();
      const received = await probe('user.registered');
      const response = await api.inject({
        method: 'POST',
        url: '/users',
        payload: {
          email: `handoff-${randomUUID()}@example.com`,
          password: 'correct horse battery staple',
          firstName: 'Ada',
          lastName: 'Lovelace',
        },
      });
      expect(response.statusCode).toBe(201);
      const userId = response.json<{ id: string }>().id;
      const [event] = await env.query<{ id: string }>(
        `SELECT id FROM outbox_messages WHERE payload->>'userId' = $1 AND routing_key = 'user.registered'`,
        [userId],
      );

      await eventually(async () => received.includes(event.id), { timeoutMs: 5000, what: 'user.registered' });
      const published = await eventually(
        async () => ((await row(event.id))?.published_at ? row(event.id) : undefined),
        {
          what: 'the row marked published',
        },
      );
      expect(published).toMatchObject({ publish_attempts: 1 });
      expect(published.lease_ms).toBeGreaterThanOrEqual(10_000);
    });
  });
});
