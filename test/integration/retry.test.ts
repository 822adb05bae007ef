import { AppConfig } from '@app/config';
import { DependencyUnavailableError, DomainError } from '@app/errors';
import {
  DeadLetterPublisher,
  RabbitMqConnection,
  ReliableRmqServer,
  retryQueueName,
  RetryPublisher,
  RpcErrorPassthroughFilter,
} from '@app/messaging';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';
import type { GetMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { BrokerProbe } from '../support/broker';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';

class StillBrokenError extends DomainError {
  readonly code = 'STILL_BROKEN';
  readonly kind = 'permanent';
}

/** What each test handler saw: one entry per attempt, with the attempt header and when it ran. */
const attempts = new Map<string, { at: number; header: unknown }[]>();
const failuresWanted = new Map<string, number>();

@Controller()
class ProbeHandlers {
  @EventPattern('test.flaky')
  flaky(@Payload() body: { key: string }, @Ctx() context: RmqContext): void {
    const seen = record(body.key, context);
    if (seen <= (failuresWanted.get(body.key) ?? 0))
      throw new DependencyUnavailableError('a flaky dependency');
  }

  @EventPattern('test.permanent')
  permanent(@Payload() body: { key: string }, @Ctx() context: RmqContext): void {
    record(body.key, context);
    throw new StillBrokenError('this will never work');
  }

  /** Behaves like a handler that crashes the process: the connection dies before anything is acked. */
  @EventPattern('test.crash')
  crash(@Payload() body: { key: string }, @Ctx() context: RmqContext): Promise<void> {
    record(body.key, context);
    const channel = context.getChannelRef() as { connection: { stream: { destroy(error: Error): void } } };
    channel.connection.stream.destroy(new Error('simulated crash'));
    // A dead process neither acks nor parks anything: never settle.
    return new Promise<void>(() => undefined);
  }

  @EventPattern('test.always-transient')
  alwaysTransient(@Payload() body: { key: string }, @Ctx() context: RmqContext): void {
    record(body.key, context);
    throw new Error('unexpected, so treated as transient');
  }
}

function record(key: string, context: RmqContext): number {
  const headers = (context.getMessage() as GetMessage).properties.headers ?? {};
  const list = attempts.get(key) ?? [];
  list.push({ at: Date.now(), header: headers['x-attempt'] });
  attempts.set(key, list);
  return list.length;
}

@Module({ controllers: [ProbeHandlers] })
class ProbeModule {}

/**
 * The retry and dead-letter machinery of ReliableRmqServer against the real broker, with handlers that fail on
 * purpose. Delays are shortened through configuration: 100 ms, 200 ms, 400 ms… capped at 400 ms, 4 attempts.
 */
describe('retries and dead-lettering (ReliableRmqServer on the real broker)', () => {
  let env: TestEnvironment;
  let config: AppConfig;
  let connection: RabbitMqConnection;
  let consumer: INestMicroservice;
  let broker: BrokerProbe;
  const deadLetters: GetMessage[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    config = env.config({
      RETRY_INITIAL_DELAY_MS: '100',
      RETRY_BACKOFF_FACTOR: '2',
      RETRY_MAX_DELAY_MS: '400',
      RETRY_MAX_ATTEMPTS: '4',
      RETRY_JITTER_RATIO: '0.2',
      RABBITMQ_DELIVERY_LIMIT: '2',
    });
    connection = new RabbitMqConnection(config, 'retry-test-publisher');
    const server = new ReliableRmqServer({
      url: config.rabbitmq.url,
      heartbeatSeconds: config.rabbitmq.heartbeatSeconds,
      connectionName: 'retry-test-consumer',
      names: connection.names,
      queue: {
        bindings: ['test.*'],
        messageTtlMs: config.rabbitmq.messageTtlMs,
        deliveryLimit: config.rabbitmq.deliveryLimit,
      },
      prefetch: 8,
      retry: config.retry,
      retries: new RetryPublisher(connection.publisher),
      deadLetters: new DeadLetterPublisher(connection.publisher, connection.names),
      ingestDeadLetters: false,
      drainTimeoutMs: 2000,
      rootLogger: pino({ level: 'silent' }),
    });
    consumer = await NestFactory.createMicroservice(ProbeModule, { strategy: server, logger: false });
    consumer.useGlobalFilters(new RpcErrorPassthroughFilter());
    await consumer.listen();
    broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
  });

  afterAll(async () => {
    await broker?.close();
    await consumer?.close();
    await connection?.onApplicationShutdown();
    await env?.cleanup();
  });

  const send = (type: string, key: string) =>
    broker.publishEvent(
      type,
      { key },
      { messageId: randomUUID(), type, headers: { 'x-request-id': `req-${key}` } },
    );

  const deadLetterOf = (key: string) =>
    eventually(
      async () => {
        deadLetters.push(...(await broker.drainDeadLetters()));
        return deadLetters.find((message) => JSON.parse(message.content.toString()).key === key);
      },
      { what: `dead letter of ${key}` },
    );

  it('when a handler fails transiently twice, then it succeeds on the third attempt after the tier delays', async () => {
    const key = randomUUID();
    failuresWanted.set(key, 2);

    await send('test.flaky', key);

    const seen = await eventually(async () =>
      attempts.get(key)?.length === 3 ? attempts.get(key) : undefined,
    );
    expect(seen.map((attempt) => attempt.header)).toEqual([undefined, 1, 2]);
    // The broker cannot hand a message back before its (jittered) expiration: lower bounds only.
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(100 * 0.8 - 20);
    expect(seen[2].at - seen[1].at).toBeGreaterThanOrEqual(200 * 0.8 - 20);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(attempts.get(key)).toHaveLength(3);
    expect(deadLetters.find((message) => message.content.toString().includes(key))).toBeUndefined();
  });

  it('when a handler fails permanently, then the message is dead-lettered after one attempt with its reason', async () => {
    const key = randomUUID();

    await send('test.permanent', key);

    const deadLetter = await deadLetterOf(key);
    expect(attempts.get(key)).toHaveLength(1);
    expect(deadLetter.properties.headers).toMatchObject({
      'x-error-code': 'STILL_BROKEN',
      'x-error-message': 'this will never work',
      'x-attempts': 1,
      'x-original-exchange': connection.names.eventsExchange,
      'x-original-routing-key': 'test.permanent',
      'x-request-id': `req-${key}`,
    });
    expect(deadLetter.properties.type).toBe('test.permanent');
  });

  it('when a handler keeps failing transiently, then it is dead-lettered after the last attempt, through every tier', async () => {
    const key = randomUUID();

    await send('test.always-transient', key);

    const deadLetter = await deadLetterOf(key);
    expect(attempts.get(key)!.map((attempt) => attempt.header)).toEqual([undefined, 1, 2, 3]);
    const headers = deadLetter.properties.headers!;
    expect(headers).toMatchObject({
      'x-error-code': 'HANDLER_FAILED',
      'x-attempts': 4,
      'x-original-routing-key': 'test.always-transient',
    });
    expect(new Date(String(headers['x-first-failure-at'])).getTime()).toBeLessThan(
      new Date(String(headers['x-last-failure-at'])).getTime(),
    );
    expect(headers['x-error-stack']).toEqual(expect.stringContaining('unexpected, so treated as transient'));
  });

  it('when a message kills the consumer every time, then the broker dead-letters it at the delivery limit', async () => {
    const key = randomUUID();

    await send('test.crash', key);

    const deadLetter = await deadLetterOf(key);
    // Limit 2: dead-lettered after the third delivery, none of which was ever acked or parked by the worker.
    expect(attempts.get(key)).toHaveLength(3);
    const [death] = deadLetter.properties.headers!['x-death'] as { reason: string; queue: string }[];
    expect(death).toMatchObject({ reason: 'delivery_limit', queue: connection.names.workerQueue });
    expect(deadLetter.properties.headers).not.toHaveProperty('x-error-code');
  });

  it('when retries are pending, then they wait on the broker, not in the worker', async () => {
    const key = randomUUID();
    failuresWanted.set(key, 3);

    await send('test.flaky', key);
    await eventually(async () => attempts.get(key)?.length === 1);

    const parked = await eventually(async () => {
      const depth = await broker.queueDepth(retryQueueName(broker.names, 100));
      return depth > 0 ? depth : undefined;
    });
    expect(parked).toBe(1);
    await eventually(async () => attempts.get(key)?.length === 4, { what: 'the fourth attempt' });
  });
});
