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

/** The Prometheus endpoints of both apps, with the numbers an operator alerts on. */
describe('metrics', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let broker: BrokerProbe;

  beforeAll(async () => {
    env = await createTestEnvironment();
    worker = await startWorker(env.config());
    api = await startApi(env.config());
    broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
  });

  afterAll(async () => {
    await broker?.close();
    await api?.close();
    await worker?.close();
    await env?.cleanup();
  });

  const scrape = async (app: NestFastifyApplication) => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    return response.body;
  };
  const sample = (text: string, series: string) => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('when a user is onboarded, then the worker counts a processed user.registered message', async () => {
    const response = await api.inject({
      method: 'POST',
      url: '/users',
      payload: {
        email: `metrics.${randomUUID()}@example.com`,
        password: 'correct horse battery staple',
        firstName: 'Ada',
        lastName: 'Lovelace',
      },
    });
    const { id } = response.json<{ id: string }>();

    await eventually(async () => {
      const user = await api.inject({
        method: 'GET',
        url: `/users/${id}`,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      return user.json<{ onboardingStatus: string }>().onboardingStatus === 'completed';
    });

    const text = await scrape(worker);
    expect(
      sample(text, 'onboarding_messages_total{type="user.registered",outcome="processed",app="worker"}'),
    ).toBe(1);
    expect(text).toContain('process_resident_memory_bytes{app="worker"}');
  });

  it('when producers send types nobody handles, then they are counted as "unknown", never as labels of their own', async () => {
    const types = Array.from({ length: 3 }, () => `user.${randomUUID()}`);

    for (const type of types) {
      await broker.publishEvent(
        'user.registered',
        { userId: randomUUID() },
        { messageId: randomUUID(), type },
      );
    }

    const series = 'onboarding_messages_total{type="unknown",outcome="dead_lettered",app="worker"}';
    await eventually(async () => sample(await scrape(worker), series) === 3, {
      what: 'three unknown dead-lettered',
    });
    const text = await scrape(worker);
    for (const type of types) expect(text).not.toContain(type);
    expect(sample(text, 'onboarding_consumer_up{queue="' + broker.stepQueue() + '",app="worker"}')).toBe(1);
  });

  it('when an event cannot be routed, then the API reports it pending, with its age', async () => {
    await env.query(
      `INSERT INTO outbox_messages (id, routing_key, payload, headers, created_at)
       VALUES ($1, 'nobody.listens', '{}', '{}', now() - interval '90 seconds')`,
      [randomUUID()],
    );

    const text = await scrape(api);

    expect(sample(text, 'onboarding_outbox_pending_events{app="api"}')).toBe(1);
    expect(sample(text, 'onboarding_outbox_oldest_pending_seconds{app="api"}')).toBeGreaterThanOrEqual(90);
  });

  it('when a poison message is dead-lettered, then the API reports a pending dead letter with its code', async () => {
    await broker.publishEvent('user.registered', Buffer.from('{not json'), {
      messageId: randomUUID(),
      type: 'user.registered',
    });

    const count = await eventually(async () =>
      sample(await scrape(api), 'onboarding_dead_letters_pending{error_code="MESSAGE_NOT_JSON",app="api"}'),
    );
    expect(count).toBe(1);
    const workerText = await scrape(worker);
    expect(
      sample(
        workerText,
        'onboarding_messages_total{type="user.registered",outcome="dead_lettered",app="worker"}',
      ),
    ).toBe(1);
  });

  it('when users register and are verified, then the API counts each registration and verification once', async () => {
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const before = await scrape(api);
    const registrations = sample(before, 'onboarding_registrations_total{app="api"}') ?? 0;
    const adminVerifications = 'onboarding_verifications_total{method="admin",app="api"}';
    expect(sample(before, 'onboarding_verifications_total{method="token",app="api"}')).toBe(0);
    const payload = {
      email: `funnel.${randomUUID()}@example.com`,
      password: 'correct horse battery staple',
      firstName: 'Ada',
      lastName: 'Lovelace',
    };
    const headers = { 'idempotency-key': randomUUID() };

    const created = await api.inject({ method: 'POST', url: '/users', payload, headers });
    const replayed = await api.inject({ method: 'POST', url: '/users', payload, headers });
    const taken = await api.inject({ method: 'POST', url: '/users', payload });
    const { id } = created.json<{ id: string }>();
    for (let i = 0; i < 2; i++) {
      const verified = await api.inject({ method: 'POST', url: `/users/${id}/verify`, headers: admin });
      expect(verified.statusCode).toBe(200);
    }

    expect([created.statusCode, replayed.statusCode, taken.statusCode]).toEqual([201, 201, 409]);
    const after = await scrape(api);
    expect(sample(after, 'onboarding_registrations_total{app="api"}')).toBe(registrations + 1);
    expect(sample(after, adminVerifications)).toBe((sample(before, adminVerifications) ?? 0) + 1);
  });

  it("when messages wait in the worker's queues, then the worker reports each queue's depth at scrape time", async () => {
    const parked = broker.names.parkedDeadLetterQueue;
    const series = (queue: string) => `onboarding_queue_messages{queue="${queue}",app="worker"}`;
    await broker.sendToQueue(parked, { parked: 1 });
    await broker.sendToQueue(parked, { parked: 2 });

    const text = await scrape(worker);

    expect(sample(text, series(parked))).toBe(2);
    expect(sample(text, series(broker.stepQueue()))).toBe(0);
    expect(sample(text, series(broker.names.deadLetterQueue))).toBe(0);
    // Retry tiers hold messages by design (for their delay), so they are not reported.
    expect(text).not.toContain(`queue="${broker.names.prefix}.retry.`);
  });

  it('when the OpenAPI document is built, then /metrics is not in it (it is for scrapers)', async () => {
    const document = (await api.inject({ method: 'GET', url: '/docs-json' })).json<{ paths: object }>();

    expect(Object.keys(document.paths)).not.toContain('/metrics');
  });
});
