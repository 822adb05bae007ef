import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { LogCapture, startApi, startWorker } from '../support/apps';
import { BrokerProbe } from '../support/broker';
import { TcpProxy } from '../support/tcp-proxy';
import {
  createTestEnvironment,
  eventually,
  TEST_ADMIN_TOKEN,
  TestEnvironment,
} from '../support/test-environment';

/**
 * Both apps in-process against the real PostgreSQL and RabbitMQ. The API reaches RabbitMQ through a TCP proxy
 * the test can cut, to take the broker away from the API alone.
 */
describe('signup → onboarding, end to end', () => {
  let env: TestEnvironment;
  let apiBrokerLink: TcpProxy;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let broker: BrokerProbe;
  const workerLogs = new LogCapture();

  beforeAll(async () => {
    env = await createTestEnvironment();
    apiBrokerLink = await TcpProxy.start(env.rabbitmqUrl);
    worker = await startWorker(env.config({ LOG_LEVEL: 'info' }), { logs: workerLogs });
    api = await startApi(env.config({ RABBITMQ_URL: apiBrokerLink.rewrite(env.rabbitmqUrl) }));
    broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
  });

  afterAll(async () => {
    await broker?.close();
    await api?.close();
    await worker?.close();
    await apiBrokerLink?.stop();
    await env?.cleanup();
  });

  const register = async (headers: Record<string, string> = {}) => {
    const response = await api.inject({
      method: 'POST',
      url: '/users',
      headers,
      payload: {
        email: `e2e.${randomUUID()}@example.com`,
        password: 'correct horse battery staple',
        firstName: 'Ada',
        lastName: 'Lovelace',
      },
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string }>().id;
  };

  const onboardingStatus = async (id: string) =>
    (
      await api.inject({
        method: 'GET',
        url: `/users/${id}`,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      })
    ).json<{ onboardingStatus: string }>().onboardingStatus;

  const waitForCompleted = (id: string, timeoutMs = 10_000) =>
    eventually(async () => (await onboardingStatus(id)) === 'completed', {
      timeoutMs,
      what: `user ${id} completed`,
    });

  /** The worker moves the DLQ into the ledger; the API shows a dead letter once it is there. */
  const waitForDeadLetter = (messageId: string) =>
    eventually(
      async () => {
        const response = await api.inject({
          method: 'GET',
          url: `/dead-letters/${encodeURIComponent(messageId)}`,
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        });
        return response.statusCode === 200 ? response.json<Record<string, unknown>>() : undefined;
      },
      { what: `dead letter ${messageId} in the ledger` },
    );

  /** The id of the user's message on `routingKey`: `user.registered`, or a step's command. */
  const outboxIdOf = async (userId: string, routingKey = 'user.registered') =>
    (
      await env.query<{ id: string }>(
        `SELECT id FROM outbox_messages WHERE payload->>'userId' = $1 AND routing_key = $2`,
        [userId, routingKey],
      )
    )[0].id;

  it('when both apps run, then each holds one LISTEN connection for the outbox, though the worker bootstraps twice (HTTP, then its microservice)', async () => {
    const listeners = await eventually(async () => {
      const rows = await env.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM pg_stat_activity
         WHERE datname = current_database() AND query = 'LISTEN "outbox_messages"'`,
      );
      return rows[0].count >= 2 ? rows[0].count : undefined;
    });
    expect(listeners).toBe(2);
  });

  it('when users register, then each is onboarded: both steps completed once, each by its own message, and the mail sent', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, () => register()));

    await Promise.all(ids.map((id) => waitForCompleted(id)));

    const steps = await env.query<{ user_id: string; step: string; status: string; attempts: number }>(
      `SELECT user_id, step, status, attempts FROM onboarding_steps WHERE user_id = ANY($1::uuid[])
       ORDER BY user_id, step`,
      [ids],
    );
    expect(steps).toHaveLength(20);
    expect(new Set(steps.map((row) => `${row.step}:${row.status}:${row.attempts}`))).toEqual(
      new Set(['provision-account:completed:1', 'send-verification-email:completed:1']),
    );
    // One inbox row per step message: the registration's event for provisioning, its own message for the mail.
    for (const id of ids) {
      const messages = [await outboxIdOf(id), await outboxIdOf(id, 'send-verification-email')];
      const inbox = await env.query<{ message_id: string; handler: string }>(
        'SELECT message_id, handler FROM inbox_messages WHERE message_id = ANY($1) ORDER BY handler',
        [messages],
      );
      expect(inbox).toEqual([
        { message_id: messages[0], handler: 'provision-account' },
        { message_id: messages[1], handler: 'send-verification-email' },
      ]);
    }
    // No SMTP_URL here: the development transport logs each mail, once.
    const mails = workerLogs.lines.filter((line) => line.transport === 'development-log');
    const mailedUsers = await env.query<{ email: string }>(
      'SELECT email FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    for (const { email } of mailedUsers) {
      expect(mails.filter((line) => (line.mail as { to: string }).to === email)).toHaveLength(1);
    }
  });

  it("when a client sends X-Request-Id, then the worker's log lines of every step of that registration carry it", async () => {
    const requestId = `trace-${randomUUID()}`;

    const id = await register({ 'x-request-id': requestId });
    await waitForCompleted(id);

    const messageIds = [await outboxIdOf(id), await outboxIdOf(id, 'send-verification-email')];
    const lines = workerLogs.lines.filter((line) => line.requestId === requestId);
    expect(new Set(lines.map((line) => line.messageId))).toEqual(new Set(messageIds));
  });

  it('when a processed message is delivered again, then it has no second effect', async () => {
    const id = await register();
    await waitForCompleted(id);
    const messageId = await outboxIdOf(id);
    const [row] = await env.query<{ payload: object }>('SELECT payload FROM outbox_messages WHERE id = $1', [
      messageId,
    ]);

    await broker.publishEvent('user.registered', row.payload, { messageId, type: 'user.registered' });
    await broker.publishEvent('user.registered', row.payload, { messageId, type: 'user.registered' });

    await eventually(
      async () =>
        workerLogs.lines.filter(
          (line) => line.messageId === messageId && /processed before/.test(String(line.msg)),
        ).length === 2,
      { what: 'both duplicates skipped' },
    );
    const steps = await env.query<{ step: string; attempts: number }>(
      'SELECT step, attempts FROM onboarding_steps WHERE user_id = $1 ORDER BY step',
      [id],
    );
    expect(steps).toEqual([
      { step: 'provision-account', attempts: 1 },
      { step: 'send-verification-email', attempts: 1 },
    ]);
    const inbox = await env.query('SELECT 1 FROM inbox_messages WHERE message_id = $1', [messageId]);
    expect(inbox).toHaveLength(1);
    // No second mail was scheduled either.
    const mailMessages = await env.query(
      `SELECT 1 FROM outbox_messages WHERE payload->>'userId' = $1 AND routing_key = 'send-verification-email'`,
      [id],
    );
    expect(mailMessages).toHaveLength(1);
  });

  it('when the broker is unreachable at registration, then 201 now and onboarding completes once it is back', async () => {
    await apiBrokerLink.cut();
    await eventually(
      async () => (await api.inject({ method: 'GET', url: '/health/ready' })).statusCode === 503,
      { what: 'API readiness to report the broker down' },
    );

    const id = await register();

    // Acknowledged, and only in PostgreSQL: the API's one link to the broker is cut, so nothing else can have it.
    const [pending] = await env.query<{ published_at: Date | null }>(
      `SELECT published_at FROM outbox_messages WHERE payload->>'userId' = $1`,
      [id],
    );
    expect(pending.published_at).toBeNull();
    expect(await onboardingStatus(id)).toBe('pending');

    await apiBrokerLink.restore();

    await waitForCompleted(id, 30_000);
    const [published] = await env.query<{ published_at: Date | null }>(
      `SELECT published_at FROM outbox_messages WHERE payload->>'userId' = $1`,
      [id],
    );
    expect(published.published_at).not.toBeNull();
  });

  describe('poison messages', () => {
    it.each([
      ['a body that is not JSON', 'MESSAGE_NOT_JSON', Buffer.from('{not json')],
      ['a payload of the wrong schema', 'MESSAGE_SCHEMA_INVALID', { userId: 'not-a-uuid' }],
      ['a JSON string payload', 'MESSAGE_SCHEMA_INVALID', Buffer.from(JSON.stringify('just a string'))],
      ['an unknown user', 'USER_NOT_FOUND', { userId: randomUUID(), registeredAt: new Date().toISOString() }],
    ])('when a message has %s, then it lands in the ledger with code %s', async (_, code, body) => {
      const messageId = randomUUID();

      await broker.publishEvent('user.registered', body, {
        messageId,
        type: 'user.registered',
        headers: { 'x-request-id': 'poison' },
      });

      const deadLetter = await waitForDeadLetter(messageId);
      expect(deadLetter).toMatchObject({
        errorCode: code,
        attempts: 1,
        exchange: broker.names.eventsExchange,
        routingKey: 'user.registered',
        requestId: 'poison',
        deadLetteredBy: 'worker',
        status: 'pending',
        errorMessage: expect.any(String),
        firstFailedAt: expect.any(String),
        lastFailedAt: expect.any(String),
      });
      expect(deadLetter.headers).toMatchObject({ 'x-error-code': code, 'x-request-id': 'poison' });
    });

    it('when a message has an unknown type, then it lands in the ledger with MESSAGE_TYPE_UNKNOWN', async () => {
      const messageId = randomUUID();

      await broker.publishEvent(
        'user.registered',
        { userId: randomUUID() },
        { messageId, type: 'user.teleported' },
      );

      const deadLetter = await waitForDeadLetter(messageId);
      expect(deadLetter).toMatchObject({ errorCode: 'MESSAGE_TYPE_UNKNOWN', type: 'user.teleported' });
    });

    it('when a message has no message id, then it lands in the ledger with MESSAGE_ID_MISSING', async () => {
      const marker = randomUUID();

      await broker.publishEvent(
        'user.registered',
        { userId: marker, registeredAt: new Date().toISOString() },
        {
          type: 'user.registered',
        },
      );

      // Found by content: the message had no id to look it up by.
      const row = await eventually(
        async () =>
          (
            await env.query<{ message_id: string }>(
              `SELECT message_id FROM dead_letters WHERE payload->>'userId' = $1`,
              [marker],
            )
          )[0],
        { what: 'dead letter without message id in the ledger' },
      );
      const deadLetter = await waitForDeadLetter(row.message_id);
      expect(deadLetter).toMatchObject({ errorCode: 'MESSAGE_ID_MISSING', attempts: 1 });
      // Identified by its content, so parking the same message again would not make a second ledger row.
      expect(row.message_id).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('when poison messages were dead-lettered, then the consumer keeps onboarding and nothing is left unacked', async () => {
      const id = await register();

      await waitForCompleted(id);
      await eventually(async () => (await broker.queueDepth(broker.stepQueue())) === 0, {
        what: 'an empty worker queue',
      });
      await eventually(async () => (await broker.queueDepth(broker.names.deadLetterQueue)) === 0, {
        what: 'an empty dead-letter queue (all of it in the ledger)',
      });
    });
  });
});
