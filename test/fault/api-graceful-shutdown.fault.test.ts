import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, startWorker } from '../support/apps';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import { AppProcess, ProcessExit } from '../support/worker-process';
import { expectEveryUserOnboardedOnce, withDiagnostics } from './support/expect-onboarded-once';
import { compactOutputLine, FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerOverHttp, SignupLoad } from './support/signup-load';
import { TableLock } from './support/table-lock';
import { teardown } from './support/teardown';

/**
 * The worker in-process; the API a real child process that receives SIGTERM while clients register over HTTP.
 * A lock on `users` holds registrations inside their transactions at that moment, and is released once the
 * shutdown has begun: those requests must still be answered (201), the API must exit 0 before its deadline,
 * and every user it acknowledged must be published (by it, or by the next instance's relay) and onboarded.
 */
describe('fault: API stopped with SIGTERM mid-load', () => {
  // main.ts gives closing the connections 5 s on top of the drain, then exits 1 by itself.
  const exitDeadlineMs = Number(FAULT_SETTINGS.SHUTDOWN_TIMEOUT_MS) + 5000;
  let env: TestEnvironment;
  let worker: NestFastifyApplication;
  let audit: OnboardingAudit;
  let lock: TableLock | undefined;
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
      () => lock?.release(),
      () => audit?.close(),
      ...apis.map((api) => () => api.stop()),
      () => worker?.close(),
      () => env?.cleanup(),
    );
  });

  it('when the API gets SIGTERM with registrations in flight, then they are answered 201, it exits 0 within its deadline, and every acknowledged user is onboarded, once', async () => {
    const stopping = apis[0];
    const load = new SignupLoad(registerOverHttp(() => apis[apis.length - 1].baseUrl));
    let exit: ProcessExit | 'timeout' | undefined;
    let inFlight = 0;
    let acknowledgedDuringShutdown = 0;
    const chaos = async () => {
      await load.whenAttempted(32);
      lock = await TableLock.acquire(env.databaseUrl, 'users');
      await eventually(async () => (await lock!.waiting('%INSERT INTO users %')) >= 3, {
        timeoutMs: 30_000,
        what: 'registrations to be held up in their transactions',
      });
      const acknowledgedBefore = load.acknowledgedIds.length;
      // A deadline, not a performance bound: the process enforces its own (exit 1); this only stops a hang.
      const exited = stopping.kill('SIGTERM', exitDeadlineMs + 5000);
      await eventually(async () => !(await stopping.isReady()), { what: 'the API to report not ready' });
      inFlight = await lock.waiting('%INSERT INTO users %');
      await lock.release();
      exit = await exited;
      acknowledgedDuringShutdown = load.acknowledgedIds.length - acknowledgedBefore;
      await startApiProcess();
    };
    const chaosDone = chaos();

    await Promise.all([
      load.run({ waves: 4, waveSize: 16, pauseMs: 400, until: chaosDone, maxWaves: 8 }),
      chaosDone,
    ]);

    const diagnostics = () =>
      [
        `registrations: ${JSON.stringify(load.failures())}`,
        warningsOf('worker', workerLogs),
        ...apis.map((api) => api.output(150, compactOutputLine)),
      ].join('\n');
    await withDiagnostics(diagnostics, async () => {
      expect(exit).toEqual({ code: 0, signal: null });
      expect(inFlight).toBeGreaterThan(0);
      expect(acknowledgedDuringShutdown).toBeGreaterThanOrEqual(inFlight);
      // While it stops and restarts, a registration may be refused (503) or find nobody listening; never a 500.
      const refusals = Object.keys(load.failures());
      expect(refusals.filter((refusal) => !/^(503 |0 )/.test(refusal))).toEqual([]);
    });
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, { timeoutMs: 60_000, diagnostics });
  }, 150_000);
});
