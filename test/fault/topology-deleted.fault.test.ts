import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, startApi, startWorker } from '../support/apps';
import { BrokerProbe } from '../support/broker';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import { expectEveryUserOnboardedOnce } from './support/expect-onboarded-once';
import { FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerInProcess, SignupLoad } from './support/signup-load';
import { teardown } from './support/teardown';

/**
 * Topology deleted under running apps, the connections staying up: the events exchange (its bindings go with
 * it, and the relay's next publish to it is a 404 that closes the API's publishing channel), then the worker's
 * queue (the broker cancels the consumer). Both apps must bring everything back by themselves, without a restart.
 */
describe('fault: exchange and queue deleted under the running apps', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let audit: OnboardingAudit;
  let broker: BrokerProbe;
  const apiLogs = new LogCapture();
  const workerLogs = new LogCapture();

  beforeAll(async () => {
    env = await createTestEnvironment();
    // Slower than the relay, so that the API's publish meets the missing exchange before the worker mends it.
    const config = env.config({ ...FAULT_SETTINGS, RABBITMQ_TOPOLOGY_CHECK_INTERVAL_MS: '3000' });
    audit = await OnboardingAudit.open(env, config);
    worker = await startWorker(config, { logs: workerLogs });
    api = await startApi(config, { logs: apiLogs });
    broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
  });

  afterAll(async () => {
    await teardown(
      () => broker?.close(),
      () => audit?.close(),
      () => api?.close(),
      () => worker?.close(),
      () => env?.cleanup(),
    );
  });

  const diagnostics = () => `${warningsOf('api', apiLogs)}\n${warningsOf('worker', workerLogs)}`;

  it('when the events exchange is deleted, then publishing and consuming resume without a restart', async () => {
    const before = new SignupLoad(registerInProcess(api));
    await before.run({ waves: 1, waveSize: 5, pauseMs: 0 });
    await expectEveryUserOnboardedOnce(audit, before.acknowledgedIds, { diagnostics });

    await broker.deleteExchange(broker.names.eventsExchange);
    const after = new SignupLoad(registerInProcess(api));
    await after.run({ waves: 3, waveSize: 5, pauseMs: 300 });

    await expectEveryUserOnboardedOnce(audit, [...before.acknowledgedIds, ...after.acknowledgedIds], {
      timeoutMs: 60_000,
      diagnostics,
    });
    // (Nest's static logger writes to whichever app set it last: look in both.)
    expect(apiLogs.text + workerLogs.text).toMatch(/NOT_FOUND - no exchange/);
  }, 90_000);

  it("when the worker's queue is deleted, then the worker declares it again and consumes again", async () => {
    const stepQueue = broker.stepQueue();
    await eventually(async () => (await worker.inject({ url: '/health/ready' })).statusCode === 200);

    await broker.deleteQueue(stepQueue);
    const after = new SignupLoad(registerInProcess(api));
    await after.run({ waves: 3, waveSize: 5, pauseMs: 300 });

    const snapshot = await audit.waitUntilSettled(60_000);
    const anomalies = await audit.anomalies(after.acknowledgedIds);
    expect({ lost: snapshot.pending, deadLettered: snapshot.deadLettered, ...anomalies }).toMatchObject({
      lost: [],
      deadLettered: [],
      acknowledgedButMissing: [],
      completions: [],
    });
    expect(apiLogs.text + workerLogs.text).toMatch(/the broker cancelled the consumer of/);
    expect((await worker.inject({ url: '/health/ready' })).statusCode).toBe(200);
  }, 90_000);
});
