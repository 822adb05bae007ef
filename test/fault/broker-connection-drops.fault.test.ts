import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, startApi, startWorker } from '../support/apps';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import { expectEveryUserOnboardedOnce } from './support/expect-onboarded-once';
import { FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerInProcess, SignupLoad } from './support/signup-load';
import { teardown } from './support/teardown';

/**
 * Both apps in-process, both reaching RabbitMQ through one TCP proxy. While users register in waves, the
 * proxy drops every broker connection (publisher, consumer) several times, and once refuses connections for a
 * while: the relay's publishes, the worker's deliveries, acks and retries are all interrupted somewhere.
 */
describe('fault: broker connections cut mid-load', () => {
  let env: TestEnvironment;
  let brokerLink: TcpProxy;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let audit: OnboardingAudit;
  const apiLogs = new LogCapture();
  const workerLogs = new LogCapture();

  beforeAll(async () => {
    env = await createTestEnvironment();
    brokerLink = await TcpProxy.start(env.rabbitmqUrl);
    const config = env.config({ ...FAULT_SETTINGS, RABBITMQ_URL: brokerLink.rewrite(env.rabbitmqUrl) });
    audit = await OnboardingAudit.open(env, config);
    worker = await startWorker(config, { logs: workerLogs });
    api = await startApi(config, { logs: apiLogs });
  });

  afterAll(async () => {
    await teardown(
      () => audit?.close(),
      () => api?.close(),
      () => worker?.close(),
      () => brokerLink?.stop(),
      () => env?.cleanup(),
    );
  });

  const isReady = async (app: NestFastifyApplication) =>
    (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200;
  /** Both apps connected (the worker consuming), so that the next fault cuts live connections. */
  const bothReady = () =>
    eventually(async () => (await isReady(api)) && (await isReady(worker)), {
      timeoutMs: 30_000,
      what: 'both apps connected to RabbitMQ again',
    });

  it('when the broker connections drop four times and are refused once mid-load, then every registered user is onboarded, once', async () => {
    const load = new SignupLoad(registerInProcess(api));
    const faults: string[] = [];
    const chaos = async () => {
      for (const [progress, fault] of [
        [15, 'drop'],
        [30, 'drop'],
        [45, 'refuse'],
        [60, 'drop'],
        [75, 'drop'],
      ] as const) {
        await load.whenAttempted(progress);
        await bothReady();
        if (fault === 'drop') {
          brokerLink.dropConnections();
        } else {
          await brokerLink.cut();
          await new Promise((resolve) => setTimeout(resolve, 1500));
          await brokerLink.restore();
        }
        faults.push(fault);
      }
    };

    await Promise.all([load.run({ waves: 6, waveSize: 15, pauseMs: 400 }), chaos()]);

    expect(faults).toEqual(['drop', 'drop', 'refuse', 'drop', 'drop']);
    // Registration does not depend on the broker: every request is acknowledged.
    expect(load.statusCounts()).toEqual({ 201: 90 });
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, {
      timeoutMs: 60_000,
      diagnostics: () => `${warningsOf('api', apiLogs)}\n${warningsOf('worker', workerLogs)}`,
    });
  }, 120_000);
});
