import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, startApi } from '../support/apps';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';
import { expectEveryUserOnboardedOnce } from './support/expect-onboarded-once';
import { compactOutputLine, FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerInProcess, SignupLoad } from './support/signup-load';
import { teardown } from './support/teardown';
import { countCompletedUsers, WorkerProcesses } from './support/worker-processes';

/**
 * The API in-process; the worker a real child process, killed with SIGKILL (no drain, no acks, no goodbye to
 * the broker or the database) while it works through a stream of registrations, then started again, three
 * times. Whatever it held unacked comes back from the broker; whatever it had committed must not run twice.
 */
describe('fault: worker process killed mid-load', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let audit: OnboardingAudit;
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
      () => audit?.close(),
      () => api?.close(),
      ...workers.stopSteps(),
      () => env?.cleanup(),
    );
  });

  const completedUsers = () => countCompletedUsers(env);

  it('when the worker is killed with SIGKILL three times mid-load and restarted, then every registered user is onboarded, once', async () => {
    const load = new SignupLoad(registerInProcess(api));
    // Kill it at work: once it has onboarded someone from the wave just registered.
    const exits = await workers.killAtWorkUnderLoad(load, {
      attempts: [16, 32, 48],
      progress: completedUsers,
      what: 'the worker to make progress before it is killed',
      wave: { waves: 4, waveSize: 16, pauseMs: 400 },
    });

    expect(exits).toEqual(Array(3).fill({ code: null, signal: 'SIGKILL' }));
    expect(load.statusCounts()).toEqual({ 201: load.outcomes.length });
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, {
      timeoutMs: 60_000,
      diagnostics: () =>
        [
          warningsOf('api', apiLogs),
          ...workers.all.map((worker) => worker.output(100, compactOutputLine)),
        ].join('\n'),
    });
  }, 150_000);
});
