import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, startApi } from '../support/apps';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import { AppProcess, ProcessExit } from '../support/worker-process';
import { expectEveryUserOnboardedOnce } from './support/expect-onboarded-once';
import { compactOutputLine, FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerInProcess, SignupLoad } from './support/signup-load';
import { teardown } from './support/teardown';

/**
 * The API in-process; the worker a real child process, killed with SIGKILL (no drain, no acks, no goodbye to
 * the broker or the database) while it works through a stream of registrations, then started again, three
 * times. Whatever it held unacked comes back from the broker; whatever it had committed must not run twice.
 */
describe('fault: worker process killed mid-load', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let audit: OnboardingAudit;
  const workers: AppProcess[] = [];
  const apiLogs = new LogCapture();

  const startWorkerProcess = async (): Promise<AppProcess> => {
    const worker = await AppProcess.start('worker', env.variables(FAULT_SETTINGS));
    workers.push(worker);
    await worker.waitUntilReady();
    return worker;
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    const config = env.config(FAULT_SETTINGS);
    audit = await OnboardingAudit.open(env, config);
    await startWorkerProcess();
    api = await startApi(config, { logs: apiLogs });
  });

  afterAll(async () => {
    await teardown(
      () => audit?.close(),
      () => api?.close(),
      ...workers.map((worker) => () => worker.stop()),
      () => env?.cleanup(),
    );
  });

  const completedUsers = async () =>
    (
      await env.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM users WHERE onboarding_status = 'completed'`,
      )
    )[0].count;

  it('when the worker is killed with SIGKILL three times mid-load and restarted, then every registered user is onboarded, once', async () => {
    const load = new SignupLoad(registerInProcess(api));
    const exits: (ProcessExit | 'timeout')[] = [];
    const chaos = async () => {
      for (const progress of [16, 32, 48]) {
        await load.whenAttempted(progress);
        // Kill it at work: once it has onboarded someone from the wave just registered.
        const before = await completedUsers();
        await eventually(async () => (await completedUsers()) > before, {
          timeoutMs: 30_000,
          what: 'the worker to make progress before it is killed',
        });
        exits.push(await workers[workers.length - 1].kill('SIGKILL', 10_000));
        await startWorkerProcess();
      }
    };
    const chaosDone = chaos();

    await Promise.all([
      load.run({ waves: 4, waveSize: 16, pauseMs: 400, until: chaosDone, maxWaves: 8 }),
      chaosDone,
    ]);

    expect(exits).toEqual(Array(3).fill({ code: null, signal: 'SIGKILL' }));
    expect(load.statusCounts()).toEqual({ 201: load.outcomes.length });
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, {
      timeoutMs: 60_000,
      diagnostics: () =>
        [warningsOf('api', apiLogs), ...workers.map((worker) => worker.output(100, compactOutputLine))].join(
          '\n',
        ),
    });
  }, 150_000);
});
