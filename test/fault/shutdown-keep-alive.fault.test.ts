import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, startApi, startWorker } from '../support/apps';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import { AppProcess } from '../support/worker-process';
import { expectEveryUserOnboardedOnce, withDiagnostics } from './support/expect-onboarded-once';
import { compactOutputLine, FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { KeepAliveHttpClient } from './support/keep-alive-http-client';
import { OnboardingAudit } from './support/onboarding-audit';
import { newSignup, registerInProcess, SignupLoad } from './support/signup-load';
import { TableLock } from './support/table-lock';
import { teardown } from './support/teardown';
import { WorkerProcesses } from './support/worker-processes';

// main.ts gives closing the connections 5 s on top of the drain, then exits 1 by itself.
const EXIT_DEADLINE_MS = Number(FAULT_SETTINGS.SHUTDOWN_TIMEOUT_MS) + 5000;

/**
 * SIGTERM while an HTTP request is being served on a keep-alive connection (a load balancer, an ingress, a
 * metrics scraper: HTTP/1.1 clients keep connections open). The answer goes out, and then the connection must
 * not hold the shutdown up: each app must still exit 0 within its deadline. A table lock keeps the request in
 * flight for as long as the test needs, so the scenario does not depend on timing.
 */
describe('fault: worker SIGTERM while a keep-alive client awaits an answer', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let audit: OnboardingAudit;
  let lock: TableLock | undefined;
  let client: KeepAliveHttpClient | undefined;
  const apiLogs = new LogCapture();

  // A pool of 2: two handlers held up by the lock exhaust it, so the readiness check waits for a connection.
  const workers = new WorkerProcesses(() => env.variables({ ...FAULT_SETTINGS, DATABASE_POOL_SIZE: '2' }));

  beforeAll(async () => {
    env = await createTestEnvironment();
    const config = env.config(FAULT_SETTINGS);
    audit = await OnboardingAudit.open(env, config);
    await workers.start();
    api = await startApi(config, { logs: apiLogs });
  });

  afterAll(async () => {
    await teardown(
      () => client?.close(),
      () => lock?.release(),
      () => audit?.close(),
      () => api?.close(),
      ...workers.stopSteps(),
      () => env?.cleanup(),
    );
  });

  it('when the worker gets SIGTERM while a keep-alive client awaits its readiness answer, then it still exits 0 within its deadline, and every registered user is onboarded, once', async () => {
    const stopping = workers.current;
    const load = new SignupLoad(registerInProcess(api));
    lock = await TableLock.acquire(env.databaseUrl, 'onboarding_steps');
    await load.run({ waves: 1, waveSize: 8, pauseMs: 0 });
    await eventually(async () => (await lock!.waiting()) >= 2, {
      what: 'onboarding handlers to hold both pooled connections',
    });
    client = await KeepAliveHttpClient.connect(stopping.port);

    client.send('GET', '/health/ready');
    const exited = stopping.kill('SIGTERM', EXIT_DEADLINE_MS + 5000);
    const answer = await client.statusLine();
    await lock.release();
    const exit = await exited;
    await workers.start();

    expect(answer).toMatch(/^HTTP\/1\.1 \d{3} /);
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, {
      diagnostics: () =>
        [
          warningsOf('api', apiLogs),
          ...workers.all.map((worker) => worker.output(100, compactOutputLine)),
        ].join('\n'),
    });
    await withDiagnostics(
      () => stopping.output(60, compactOutputLine),
      async () => expect(exit).toEqual({ code: 0, signal: null }),
    );
  }, 120_000);
});

describe('fault: API SIGTERM while a keep-alive client awaits a registration', () => {
  let env: TestEnvironment;
  let worker: NestFastifyApplication;
  let audit: OnboardingAudit;
  let lock: TableLock | undefined;
  let client: KeepAliveHttpClient | undefined;
  const apis: AppProcess[] = [];
  const workerLogs = new LogCapture();

  const startApiProcess = async (): Promise<AppProcess> => {
    const api = await AppProcess.start('api', env.variables(FAULT_SETTINGS));
    apis.push(api);
    await api.waitUntilReady();
    return api;
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    const config = env.config(FAULT_SETTINGS);
    audit = await OnboardingAudit.open(env, config);
    worker = await startWorker(config, { logs: workerLogs });
    await startApiProcess();
  });

  afterAll(async () => {
    await teardown(
      () => client?.close(),
      () => lock?.release(),
      () => audit?.close(),
      ...apis.map((api) => () => api.stop()),
      () => worker?.close(),
      () => env?.cleanup(),
    );
  });

  it('when the API gets SIGTERM while a keep-alive client awaits a registration, then it is answered 201, the API exits 0 within its deadline, and the user is onboarded, once', async () => {
    const stopping = apis[0];
    // Registrations wait at their insert into users (the relay is not held up).
    lock = await TableLock.acquire(env.databaseUrl, 'users');
    client = await KeepAliveHttpClient.connect(stopping.port);
    client.send('POST', '/users', newSignup());
    await eventually(async () => (await lock!.waiting('%INSERT INTO users %')) === 1, {
      what: 'the registration to be held up in its transaction',
    });

    const exited = stopping.kill('SIGTERM', EXIT_DEADLINE_MS + 5000);
    await eventually(async () => !(await stopping.isReady()), { what: 'the API to report not ready' });
    await lock.release();
    const answer = await client.statusLine();
    const exit = await exited;
    // The relay stopped before the answer was committed: the next instance publishes it.
    await startApiProcess();

    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    const { id } = JSON.parse(client.body) as { id: string };
    await expectEveryUserOnboardedOnce(audit, [id], {
      diagnostics: () =>
        [warningsOf('worker', workerLogs), ...apis.map((api) => api.output(100, compactOutputLine))].join(
          '\n',
        ),
    });
    await withDiagnostics(
      () => stopping.output(60, compactOutputLine),
      async () => expect(exit).toEqual({ code: 0, signal: null }),
    );
  }, 120_000);
});
