import { connectWithBackoff, sampleQueueDepths } from '@app/messaging';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { once } from 'node:events';
import { BrokerProbe } from '../support/broker';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';

/** The queue-depth gauge's sampling, against the real broker: what it reports, and what a missing queue does. */
describe('sampleQueueDepths', () => {
  let env: TestEnvironment;
  let broker: BrokerProbe;
  let manager: AmqpConnectionManager;
  let first: string;
  let second: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
    first = `${env.topologyPrefix}.depth.first`;
    second = `${env.topologyPrefix}.depth.second`;
    for (const queue of [first, second]) {
      env.trackQueue(queue);
      await broker.declareQueue(queue);
    }
    for (let i = 0; i < 3; i++) await broker.sendToQueue(first, { i });
    await broker.sendToQueue(second, { i: 0 });
    manager = connectWithBackoff({
      url: env.rabbitmqUrl,
      heartbeatSeconds: 10,
      connectionName: 'queue-depths-test',
    });
    if (!manager.isConnected()) await once(manager, 'connect');
  });

  afterAll(async () => {
    await manager?.close();
    await broker?.close();
    await env?.cleanup();
  });

  it('when queues hold messages, then each reports how many are ready', async () => {
    const depths = await sampleQueueDepths(manager, [first, second]);

    expect(Object.fromEntries(depths)).toEqual({ [first]: 3, [second]: 1 });
  });

  it('when a queue in the middle does not exist, then it is left out and the queues after it are still sampled', async () => {
    const missing = `${env.topologyPrefix}.depth.missing`;

    const depths = await sampleQueueDepths(manager, [first, missing, second]);

    expect(Object.fromEntries(depths)).toEqual({ [first]: 3, [second]: 1 });
  });

  it('when the connection is closed, then the sampling reports nothing, at once', async () => {
    const closed = connectWithBackoff({
      url: env.rabbitmqUrl,
      heartbeatSeconds: 10,
      connectionName: 'closed',
    });
    if (!closed.isConnected()) await once(closed, 'connect');
    await closed.close();

    const depths = await sampleQueueDepths(closed, [first, second]);

    expect(depths.size).toBe(0);
  });
});
