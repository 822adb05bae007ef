import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { startApi, startWorker } from '../support/apps';
import { BrokerProbe } from '../support/broker';
import {
  createTestEnvironment,
  eventually,
  TEST_ADMIN_TOKEN,
  TestEnvironment,
} from '../support/test-environment';
import { WebhookReceiver } from '../support/webhook-receiver';

const BACKLOG = 40;

/** The sum and count of a histogram series with the given labels (among others) on a /metrics page, 0 when absent. */
function histogram(metrics: string, name: string, labels: string[]): { sum: number; count: number } {
  const value = (suffix: string) => {
    const line = metrics
      .split('\n')
      .find((row) => row.startsWith(`${name}_${suffix}{`) && labels.every((label) => row.includes(label)));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  return { sum: value('sum'), count: value('count') };
}

/**
 * A backlog on the provision-account queue is taken in batches (several registrations in one transaction), and
 * whatever a batch cannot take goes through the ordinary handler one by one: a registration of a user that does
 * not exist (it fails its batch, then is dead-lettered alone), an invalid message, a duplicate of a message
 * processed before. Every registration is provisioned exactly once, and fanned out once to a webhook endpoint.
 */
describe('provision-account in batches, end to end', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication | undefined;
  let broker: BrokerProbe;
  let receiver: WebhookReceiver;
  const settings = {
    RETRY_INITIAL_DELAY_MS: '100',
    RETRY_MAX_ATTEMPTS: '2',
    // The receiver is on 127.0.0.1.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    // Batches of at most 16 (what is unacked), so that the missing user fails one batch and the others commit.
    RABBITMQ_BATCH_PREFETCH: '16',
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    receiver = await WebhookReceiver.start();
    const config = env.config(settings);
    // The worker declares its queues, then stops: the registrations wait in the queue as a backlog.
    await (await startWorker(config)).close();
    api = await startApi(config);
    broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await broker?.close();
    await receiver?.stop();
    await env?.cleanup();
  });

  it('when a backlog of registrations with a poison message, a duplicate and a missing user is drained, then each registration is provisioned exactly once and batches were committed', async () => {
    const endpoint = await api.inject({
      method: 'POST',
      url: '/webhooks',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      payload: { url: receiver.url('/registrations'), events: ['user.registered'] },
    });
    expect(endpoint.statusCode).toBe(201);
    for (let index = 0; index < BACKLOG; index++) {
      const response = await api.inject({
        method: 'POST',
        url: '/users',
        payload: {
          email: `batch.${index}@example.com`,
          password: 'correct horse battery staple',
          firstName: 'Ada',
          lastName: 'Lovelace',
        },
      });
      expect(response.statusCode).toBe(201);
    }
    await eventually(
      async () => (await env.query(`SELECT 1 FROM outbox_messages WHERE published_at IS NULL`)).length === 0,
      { what: 'the registrations published' },
    );
    const [first] = await env.query<{ message_id: string; payload: object }>(
      `SELECT COALESCE(message_id, id::text) AS message_id, payload FROM outbox_messages
       WHERE routing_key = 'user.registered' ORDER BY created_at LIMIT 1`,
    );
    const missingUserMessageId = randomUUID();
    await broker.publishEvent(
      'user.registered',
      { userId: randomUUID(), registeredAt: new Date().toISOString() },
      { messageId: missingUserMessageId, persistent: true },
    );
    const invalidMessageId = randomUUID();
    await broker.publishEvent(
      'user.registered',
      { userId: 'not-a-uuid' },
      { messageId: invalidMessageId, persistent: true },
    );
    // A second copy of a registration, as a publisher retrying after a lost confirm would send it.
    await broker.publishEvent('user.registered', first.payload, {
      messageId: first.message_id,
      persistent: true,
    });

    worker = await startWorker(env.config(settings));

    await eventually(
      async () =>
        (
          await env.query(`SELECT message_id FROM dead_letters WHERE message_id = ANY($1::text[])`, [
            [missingUserMessageId, invalidMessageId],
          ])
        ).length === 2,
      { what: 'the missing user and the invalid message dead-lettered', timeoutMs: 30_000 },
    );
    const provisioned = await eventually(
      async () => {
        const rows = await env.query<{ attempts: number }>(
          `SELECT attempts FROM onboarding_steps WHERE step = 'provision-account' AND status = 'completed'`,
        );
        return rows.length === BACKLOG ? rows : undefined;
      },
      { what: 'every registration provisioned', timeoutMs: 30_000 },
    );
    expect(provisioned.every((row) => row.attempts === 1)).toBe(true);
    const deadLetters = await env.query<{ message_id: string; error_code: string }>(
      `SELECT message_id, error_code FROM dead_letters ORDER BY error_code`,
    );
    expect(deadLetters).toEqual([
      { message_id: invalidMessageId, error_code: 'MESSAGE_SCHEMA_INVALID' },
      { message_id: missingUserMessageId, error_code: 'USER_NOT_FOUND' },
    ]);
    // Exactly once: one inbox claim, one verification email scheduled and one mail unit per registration.
    const [counts] = await env.query<{ claims: number; mails: number; mail_units: number }>(
      `SELECT (SELECT count(*)::int FROM inbox_messages WHERE handler = 'provision-account') AS claims,
              (SELECT count(*)::int FROM outbox_messages WHERE routing_key = 'send-verification-email') AS mails,
              (SELECT count(*)::int FROM onboarding_steps WHERE step = 'send-verification-email') AS mail_units`,
    );
    expect(counts).toEqual({ claims: BACKLOG, mails: BACKLOG, mail_units: BACKLOG });

    const webhookIds = await eventually(
      async () => {
        const ids = new Set(receiver.at('/registrations').map((request) => request.headers['webhook-id']));
        return ids.size === BACKLOG ? ids : undefined;
      },
      { what: 'a user.registered webhook per registration', timeoutMs: 30_000 },
    );
    expect(webhookIds.size).toBe(BACKLOG);
    const [deliveries] = await env.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM webhook_deliveries`,
    );
    expect(deliveries.count).toBe(BACKLOG);

    const metrics = (await worker.inject({ method: 'GET', url: '/metrics' })).body;
    const committed = histogram(metrics, 'onboarding_message_batch_size', [
      'handler="provision-account"',
      'outcome="committed"',
    ]);
    expect(committed.count).toBeGreaterThan(0);
    expect(committed.sum).toBeGreaterThanOrEqual(2 * committed.count);
    // The batch with the missing user failed whole, and its messages went on one by one.
    const failed = histogram(metrics, 'onboarding_message_batch_size', [
      'handler="provision-account"',
      'outcome="failed"',
    ]);
    expect(failed.count).toBeGreaterThan(0);
    expect(metrics).toMatch(
      /onboarding_messages_total\{[^}]*type="user\.registered",outcome="duplicate"[^}]*\} 1\b/,
    );
  });
});
