import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, startApi } from '../support/apps';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import type { ProcessExit } from '../support/worker-process';
import { expectEveryUserOnboardedOnce, withDiagnostics } from './support/expect-onboarded-once';
import { compactOutputLine, FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerInProcess, SignupLoad } from './support/signup-load';
import { TableLock } from './support/table-lock';
import { teardown } from './support/teardown';
import { countCompletedUsers, WorkerProcesses } from './support/worker-processes';

/**
 * The API in-process; the worker a real child process that receives SIGTERM while it works through a stream
 * of registrations (as Kubernetes stops a pod). To be sure that handlers are in flight at that moment, the
 * test holds a lock on `onboarding_steps` (the handlers wait on it inside their transactions) and releases it
 * only once the shutdown has begun: the worker must let those handlers finish, exit 0 before its own deadline,
 * and leave the rest to the next worker.
 */
describe('fault: worker stopped with SIGTERM mid-load', () => {
  const shutdownTimeoutMs = Number(FAULT_SETTINGS.SHUTDOWN_TIMEOUT_MS);
  // main.ts gives closing the connections 5 s on top of the drain, then exits 1 by itself.
  const exitDeadlineMs = shutdownTimeoutMs + 5000;
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let audit: OnboardingAudit;
  let lock: TableLock | undefined;
  const apiLogs = new LogCapture();

  const workers = new WorkerProcesses(() => env.variables(FAULT_SETTINGS));

  beforeAll(async () => {
    env = await createTestEnvironment();
    const config = env.config(FAULT_SETTINGS);
    audit = await OnboardingAudit.open(env, config);
    await workers.start();
    api = await startApi(config, { logs: apiLogs });
  });

  afterAll(async () => {
    await teardown(
      () => lock?.release(),
      () => audit?.close(),
      () => api?.close(),
      ...workers.stopSteps(),
      () => env?.cleanup(),
    );
  });

  const completedUsers = () => countCompletedUsers(env);
  /** Step units completed so far: what each handler held on the lock completes when it is let go. */
  const completedUnits = async () =>
    (
      await env.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM onboarding_steps WHERE status = 'completed'`,
      )
    )[0].count;

  it('when the worker gets SIGTERM with handlers in flight, then they finish, it exits 0 within its deadline, and after a restart every registered user is onboarded, once', async () => {
    const load = new SignupLoad(registerInProcess(api));
    const stopping = workers.current;
    let exit: ProcessExit | 'timeout' | undefined;
    let inFlight = 0;
    let finishedInDrain = 0;
    const chaos = async () => {
      await load.whenAttempted(16);
      await eventually(async () => (await completedUsers()) > 0, { what: 'the worker to be at work' });
      lock = await TableLock.acquire(env.databaseUrl, 'onboarding_steps');
      // A session per transaction held up, and a batched queue has at most two transactions in flight: the
      // provision queue, which the continuing load keeps fed, accounts for two; the mail queue's only when
      // step messages of users provisioned before the lock are still on their way (a third, at times).
      await eventually(async () => (await lock!.waiting()) >= 2, {
        timeoutMs: 30_000,
        what: 'handlers of the next registrations to be held up in flight',
      });
      const completedBefore = await completedUnits();
      // A deadline, not a performance bound: the process enforces its own (exit 1); this only stops a hang.
      const exited = stopping.kill('SIGTERM', exitDeadlineMs + 5000);
      // Readiness fails first; the drain of the consumer follows.
      await eventually(async () => !(await stopping.isReady()), { what: 'the worker to report not ready' });
      inFlight = await lock.waiting();
      await lock.release();
      exit = await exited;
      finishedInDrain = (await completedUnits()) - completedBefore;
      await workers.start();
    };
    const chaosDone = chaos();

    await Promise.all([
      load.run({ waves: 4, waveSize: 16, pauseMs: 400, until: chaosDone, maxWaves: 8 }),
      chaosDone,
    ]);

    await withDiagnostics(
      () => stopping.output(150, compactOutputLine),
      async () => {
        expect(exit).toEqual({ code: 0, signal: null });
        expect(inFlight).toBeGreaterThan(0);
        // Nothing else onboards while the restarted worker is not up yet: these are the drained handlers.
        expect(finishedInDrain).toBeGreaterThanOrEqual(inFlight);
      },
    );
    expect(load.statusCounts()).toEqual({ 201: load.outcomes.length });
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, {
      timeoutMs: 60_000,
      diagnostics: () =>
        [
          warningsOf('api', apiLogs),
          ...workers.all.map((worker) => worker.output(150, compactOutputLine)),
        ].join('\n'),
    });
  }, 150_000);
});
