import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { LogCapture, startApi, startWorker } from '../support/apps';
import { BrokerProbe } from '../support/broker';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import { expectEveryUserOnboardedOnce, withDiagnostics } from './support/expect-onboarded-once';
import { FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerInProcess, SignupLoad } from './support/signup-load';
import { teardown } from './support/teardown';

/**
 * The worker's PostgreSQL goes away (through a TCP proxy, so that only the worker loses it) for longer than the
 * whole retry ladder, which is shortened to about a second: were the worker to go on consuming, every message
 * would spend its attempts and end dead-lettered DEPENDENCY_UNAVAILABLE. It must stop consuming instead, say so
 * in its readiness, and carry on where it stopped once the database is back.
 */
describe('fault: PostgreSQL unreachable by the worker for longer than the retry ladder', () => {
  let env: TestEnvironment;
  let databaseLink: TcpProxy;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let audit: OnboardingAudit;
  let broker: BrokerProbe;
  const apiLogs = new LogCapture();
  const workerLogs = new LogCapture();
  // Four attempts, 100 + 200 + 400 ms apart: the ladder is over in under a second.
  const settings = { ...FAULT_SETTINGS, RETRY_MAX_ATTEMPTS: '4', RETRY_MAX_DELAY_MS: '400' };
  const OUTAGE_MS = 5000;

  beforeAll(async () => {
    env = await createTestEnvironment();
    databaseLink = await TcpProxy.start(env.databaseUrl);
    const config = env.config(settings);
    audit = await OnboardingAudit.open(env, config);
    api = await startApi(config, { logs: apiLogs });
    worker = await startWorker(
      env.config({ ...settings, DATABASE_URL: databaseLink.rewrite(env.databaseUrl) }),
      {
        logs: workerLogs,
      },
    );
    broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
  });

  afterAll(async () => {
    await teardown(
      () => broker?.close(),
      () => audit?.close(),
      () => api?.close(),
      () => worker?.close(),
      () => databaseLink?.stop(),
      () => env?.cleanup(),
    );
  });

  const readiness = async () => {
    const response = await worker.inject({ method: 'GET', url: '/health/ready' });
    return { status: response.statusCode, body: response.body };
  };

  /** Cuts the worker's database for `OUTAGE_MS`, checking meanwhile that it has paused; then restores it. */
  const outage = async (duringOutage: () => Promise<void>) => {
    await databaseLink.cut();
    await duringOutage();
    const paused = await eventually(
      async () => {
        const ready = await readiness();
        return ready.status === 503 && /paused: PostgreSQL unavailable/.test(ready.body) ? ready : undefined;
      },
      { what: 'the worker to report itself paused for PostgreSQL' },
    );
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await databaseLink.restore();
    return paused;
  };

  it('when signups are queued for the worker while its database is down, then none is dead-lettered and every one completes once it is back', async () => {
    const load = new SignupLoad(registerInProcess(api));

    const paused = await outage(() => load.run({ waves: 3, waveSize: 10, pauseMs: 200 }));

    expect(paused.body).toContain('"postgresql"');
    expect(load.statusCounts()).toEqual({ 201: 30 });
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, {
      timeoutMs: 60_000,
      diagnostics: () => warningsOf('worker', workerLogs),
    });
    await eventually(async () => (await readiness()).status === 200, { what: 'the worker ready again' });
  }, 120_000);

  it('when dead letters arrive while the ledger cannot reach its database, then every one is recorded once after recovery, none requeued in a loop', async () => {
    const deadLetterIds = Array.from({ length: 5 }, () => randomUUID());
    const poisonIds = Array.from({ length: 5 }, () => randomUUID());

    await outage(async () => {
      for (const id of deadLetterIds) {
        await broker.publishDeadLetter(
          'user.registered',
          Buffer.from(JSON.stringify({ userId: randomUUID() })),
          {
            messageId: id,
            type: 'user.registered',
            headers: { 'x-error-code': 'HANDLER_FAILED', 'x-error-message': 'gave up', 'x-attempts': 4 },
          },
        );
      }
      // Poison for the worker itself: dead-lettered (no database needed for that), then into the ledger.
      for (const id of poisonIds) {
        await broker.publishEvent(
          'user.registered',
          { userId: 'not-a-uuid' },
          { messageId: id, type: 'user.registered' },
        );
      }
    });

    const ids = [...deadLetterIds, ...poisonIds];
    const rows = await eventually(
      async () => {
        const found = await env.query<{ message_id: string; times_dead_lettered: number; headers: object }>(
          'SELECT message_id, times_dead_lettered, headers FROM dead_letters WHERE message_id = ANY($1)',
          [ids],
        );
        return found.length === ids.length ? found : undefined;
      },
      { timeoutMs: 30_000, what: 'every dead letter in the ledger' },
    );
    await withDiagnostics(
      () => warningsOf('worker', workerLogs),
      async () => {
        expect(rows.map((row) => row.times_dead_lettered)).toEqual(ids.map(() => 1));
        // A requeue counts a delivery on a quorum queue (x-delivery-count): the ledger holds dead letters
        // instead of requeueing them every backoff step. (One redelivery is not a loop: a consumer connection lost
        // on a loaded machine returns what it held once.)
        const deliveries = rows.map((row) =>
          Number((row.headers as Record<string, unknown>)['x-delivery-count'] ?? 0),
        );
        expect(deliveries.filter((count) => count > 1)).toEqual([]);
        const occurrences = await env.query<{ count: number }>(
          'SELECT count(*)::int AS count FROM dead_letter_occurrences WHERE message_id = ANY($1)',
          [ids],
        );
        expect(occurrences[0].count).toBe(ids.length);
      },
    );
    expect(await broker.queueDepth(broker.names.deadLetterQueue)).toBe(0);
    expect(await broker.queueDepth(broker.names.parkedDeadLetterQueue)).toBe(0);
  }, 120_000);
});
