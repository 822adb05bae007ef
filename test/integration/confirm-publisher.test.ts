import { RabbitMqConnection, UnroutableMessageError } from '@app/messaging';
import { Logger } from '@nestjs/common';
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';

/** The publishing connection against the real broker: confirms, returns, and a channel the broker closes. */
describe('ConfirmPublisher on the real broker', () => {
  let env: TestEnvironment;
  let rabbit: RabbitMqConnection;
  let amqp: Awaited<ReturnType<typeof connect>>;
  const received: string[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    env = await createTestEnvironment();
    rabbit = new RabbitMqConnection(env.config(), 'confirm-publisher-test');
    await eventually(async () => rabbit.isConnected, { what: 'the publishing channel open' });
    amqp = await connect(env.rabbitmqUrl);
    const channel = await amqp.createChannel();
    const queue = `${env.topologyPrefix}.probe`;
    env.trackQueue(queue);
    await channel.assertQueue(queue, { durable: false });
    await channel.bindQueue(queue, rabbit.names.eventsExchange, 'test.routed');
    await channel.consume(queue, (message) => message && received.push(message.content.toString()), {
      noAck: true,
    });
  });

  afterAll(async () => {
    await amqp?.close();
    await rabbit?.onApplicationShutdown();
    await env?.cleanup();
  });

  const publish = (
    routingKey: string,
    messageId: string,
    body: string,
    exchange = rabbit.names.eventsExchange,
  ) => rabbit.publisher.publish({ exchange, routingKey, messageId, body: Buffer.from(body) });

  it('when two publishes share a message id and only one is routable, then only that one succeeds', async () => {
    const messageId = randomUUID();

    const [routed, unroutable] = await Promise.allSettled([
      publish('test.routed', messageId, 'routed'),
      publish('test.nowhere', messageId, 'unroutable'),
    ]);

    expect(routed.status).toBe('fulfilled');
    expect(unroutable).toMatchObject({ status: 'rejected', reason: expect.any(UnroutableMessageError) });
    await eventually(async () => received.includes('routed'));
  });

  it('when the broker closes the channel (a publish to a missing exchange), then it is opened again and the next publish succeeds', async () => {
    await expect(
      publish('test.routed', randomUUID(), 'lost', `${env.topologyPrefix}.no-such-exchange`),
    ).rejects.toThrow(/channel closed|NOT_FOUND/i);

    await eventually(async () => rabbit.isConnected, { what: 'the publishing channel open again' });
    await publish('test.routed', randomUUID(), 'after the 404');

    await eventually(async () => received.includes('after the 404'));
  });
});
