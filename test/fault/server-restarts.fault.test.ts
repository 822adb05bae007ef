import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { LogCapture, startApi, startWorker } from '../support/apps';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import { expectEveryUserOnboardedOnce } from './support/expect-onboarded-once';
import { FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerInProcess, SignupLoad } from './support/signup-load';
import { teardown } from './support/teardown';

const run = promisify(execFile);

/** The servers themselves, restarted (not connections cut): the local RabbitMQ and PostgreSQL the tests use. */
const servers = {
  async stopRabbitMq(): Promise<void> {
    await run('rabbitmqctl', ['stop_app'], { timeout: 60_000 });
  },
  async startRabbitMq(): Promise<void> {
    await run('rabbitmqctl', ['start_app'], { timeout: 60_000 });
    await run('rabbitmqctl', ['await_startup'], { timeout: 60_000 });
  },
  /** `pg_ctlcluster restart` (fast mode: every session is terminated, then the server starts again). */
  async restartPostgres(): Promise<void> {
    const [version] = readdirSync('/etc/postgresql');
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], {
      timeout: 60_000,
    });
  },
};

/**
 * Both apps in-process against the machine's RabbitMQ and PostgreSQL, which are restarted under load: RabbitMQ
 * stopped for a few seconds and started again (`rabbitmqctl stop_app` / `start_app`), then PostgreSQL restarted.
 * Every acknowledged user must be onboarded, once. Registrations may be refused (503) while PostgreSQL is down;
 * acknowledged ones are what counts. Needs the servers to be local, as on the development machines and CI.
 */
describe('fault: RabbitMQ and PostgreSQL restarted under load', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let audit: OnboardingAudit;
  const apiLogs = new LogCapture();
  const workerLogs = new LogCapture();

  beforeAll(async () => {
    env = await createTestEnvironment();
    const config = env.config(FAULT_SETTINGS);
    audit = await OnboardingAudit.open(env, config);
    worker = await startWorker(config, { logs: workerLogs });
    api = await startApi(config, { logs: apiLogs });
  });

  afterAll(async () => {
    await teardown(
      () => audit?.close(),
      () => api?.close(),
      () => worker?.close(),
      () => env?.cleanup(),
    );
  }, 120_000);

  const ready = (app: NestFastifyApplication) =>
    eventually(async () => (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200, {
      timeoutMs: 60_000,
      what: 'the app ready again',
    });

  it('when RabbitMQ is stopped and started, and PostgreSQL restarted, mid-load, then every acknowledged user is onboarded, once', async () => {
    const load = new SignupLoad(registerInProcess(api));
    const faults: string[] = [];
    const chaos = async () => {
      await load.whenAttempted(20);
      await servers.stopRabbitMq();
      faults.push('rabbitmq stopped');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await servers.startRabbitMq();
      faults.push('rabbitmq started');
      await Promise.all([ready(api), ready(worker)]);
      await load.whenAttempted(60);
      await servers.restartPostgres();
      faults.push('postgresql restarted');
    };

    const faulted = chaos();
    await Promise.all([
      load.run({ waves: 8, waveSize: 10, pauseMs: 500, until: faulted, maxWaves: 40 }),
      faulted,
    ]);

    expect(faults).toEqual(['rabbitmq stopped', 'rabbitmq started', 'postgresql restarted']);
    // The broker's outage never reaches registration (the outbox holds the events); PostgreSQL's does, as 503.
    const refused = Object.keys(load.failures()).filter(
      (outcome) => !/^(503 DEPENDENCY_UNAVAILABLE)$/.test(outcome),
    );
    expect(refused).toEqual([]);
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, {
      timeoutMs: 90_000,
      diagnostics: () => `${warningsOf('api', apiLogs)}\n${warningsOf('worker', workerLogs)}`,
    });
  }, 240_000);
});
