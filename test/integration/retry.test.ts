import { AppConfig } from '@app/config';
import { DependencyUnavailableError, DomainError } from '@app/errors';
import {
  DeadLetterPublisher,
  DUPLICATE_MESSAGE,
  MessageOutcome,
  queueName,
  RabbitMqConnection,
  ReliableRmqServer,
  retryQueueName,
  RetryInterceptor,
  RetryPolicy,
  RetryPublisher,
  RetryTiers,
  RpcErrorPassthroughFilter,
} from '@app/messaging';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
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

/** A failure that asks for a longer wait than the policy's, like an HTTP 429 with Retry-After. */
class SlowDownError extends DomainError {
  readonly code = 'SLOW_DOWN';
  readonly kind = 'transient';
  readonly retryAfterMs = 350;
}

interface Attempt {
  header: unknown;
  /** The broker's record of the queues the message passed through (the retry tiers among them). */
  deaths: { queue: string; reason: string; count: number }[];
}

/** What each test handler saw: one entry per attempt. */
const attempts = new Map<string, Attempt[]>();
const failuresWanted = new Map<string, number>();

const PATTERN = 'probe';

@Controller()
class ProbeHandler {
  /** One queue, one handler (as for every step): the message type says how to behave. */
  @EventPattern(PATTERN)
  @RetryPolicy({ maxAttempts: 4 })
  handle(@Payload() body: { key: string }, @Ctx() context: RmqContext): Promise<unknown> | string | void {
    const message = context.getMessage() as GetMessage;
    const seen = record(body.key, message);
    switch (message.properties.type) {
      case 'test.flaky':
        if (seen <= (failuresWanted.get(body.key) ?? 0))
          throw new DependencyUnavailableError('a flaky service');
        return;
      case 'test.permanent':
        throw new StillBrokenError('this will never work');
      case 'test.slow-down':
        if (seen === 1) throw new SlowDownError('come back later');
        return;
      case 'test.duplicate':
        return DUPLICATE_MESSAGE;
      case 'test.crash': {
        // Behaves like a handler that crashes the process: the connection dies before anything is settled.
        const channel = context.getChannelRef() as {
          connection: { stream: { destroy(error: Error): void } };
        };
        channel.connection.stream.destroy(new Error('simulated crash'));
        return new Promise<void>(() => undefined);
      }
      default:
        throw new Error('unexpected, so treated as transient');
    }
  }
}

function record(key: string, message: GetMessage): number {
  const headers = message.properties.headers ?? {};
  const list = attempts.get(key) ?? [];
  list.push({ header: headers['x-attempt'], deaths: headers['x-death'] ?? [] });
  attempts.set(key, list);
  return list.length;
}

@Module({ controllers: [ProbeHandler] })
class ProbeModule {}

/**
 * The retry and dead-letter machinery of ReliableRmqServer and the RetryInterceptor against the real broker,
 * with a handler that fails on purpose. Waits are shortened through configuration: 100 ms, 200 ms, 400 ms…
 * capped at 400 ms; the handler's own policy allows 4 attempts. Every assertion waits for the broker's own
 * evidence (a dead letter, `x-death` records, an outcome), never for the clock.
 */
describe('retries and dead-lettering (ReliableRmqServer and RetryInterceptor on the real broker)', () => {
  let env: TestEnvironment;
  let config: AppConfig;
  let connection: RabbitMqConnection;
  let consumer: INestMicroservice;
  let server: ReliableRmqServer;
  let broker: BrokerProbe;
  let tiers: RetryTiers;
  let probeQueue: string;
  const deadLetters: GetMessage[] = [];
  const outcomes: { type: string; outcome: MessageOutcome }[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    config = env.config({
      RETRY_INITIAL_DELAY_MS: '100',
      RETRY_BACKOFF_FACTOR: '2',
      RETRY_MAX_DELAY_MS: '400',
      RETRY_MAX_ATTEMPTS: '3',
      RETRY_JITTER_RATIO: '0.2',
      RABBITMQ_DELIVERY_LIMIT: '2',
    });
    connection = new RabbitMqConnection(config, 'retry-test-publisher');
    const { names } = connection;
    probeQueue = queueName(names, 'probe');
    tiers = RetryTiers.fromPolicies([config.retry, { ...config.retry, maxAttempts: 4 }]);
    for (const delay of tiers.delaysMs) env.trackQueue(retryQueueName(names, delay));
    env.trackQueue(probeQueue);
    server = new ReliableRmqServer({
      url: config.rabbitmq.url,
      heartbeatSeconds: config.rabbitmq.heartbeatSeconds,
      connectionName: 'retry-test-consumer',
      names,
      queues: [
        {
          name: probeQueue,
          role: 'work',
          pattern: PATTERN,
          bindings: [{ exchange: names.eventsExchange, routingKey: 'test.*' }],
          accepts: [],
          prefetch: 8,
        },
      ],
      work: { messageTtlMs: config.rabbitmq.messageTtlMs, deliveryLimit: config.rabbitmq.deliveryLimit },
      retryTiers: () => tiers,
      defaultRetryPolicy: config.retry,
      outageDetectors: [],
      dependencies: [],
      retries: new RetryPublisher(connection.publisher, names),
      deadLetters: new DeadLetterPublisher(connection.publisher, names),
      handlerTimeoutMs: 5000,
      drainTimeoutMs: 2000,
      maxHoldMs: 60_000,
      topologyCheckIntervalMs: 60_000,
      rootLogger: pino({ level: 'silent' }),
      onOutcome: (outcome, { type }) => outcomes.push({ type, outcome }),
    });
    consumer = await NestFactory.createMicroservice(ProbeModule, { strategy: server, logger: false });
    consumer.useGlobalFilters(new RpcErrorPassthroughFilter());
    consumer.useGlobalInterceptors(new RetryInterceptor(new Reflector(), config.retry, []));
    await consumer.listen();
    await server.whenConsuming();
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

  const tierDeaths = (attempt: Attempt) =>
    attempt.deaths.filter((death) => death.reason === 'expired' && death.queue.includes('.retry.'));

  /** No copy of any message is left anywhere it could come back from (work queue and every tier). */
  const nothingQueued = async () => {
    for (const queue of [
      probeQueue,
      ...tiers.delaysMs.map((delay) => retryQueueName(connection.names, delay)),
    ]) {
      if ((await broker.queueDepth(queue)) > 0) return false;
    }
    return true;
  };

  it('when a handler fails transiently twice, then it succeeds on the third attempt, each retry having waited in its tier', async () => {
    const key = randomUUID();
    failuresWanted.set(key, 2);
    const processedBefore = outcomes.filter((entry) => entry.outcome === 'processed').length;

    await send('test.flaky', key);

    const seen = await eventually(async () =>
      attempts.get(key)?.length === 3 ? attempts.get(key) : undefined,
    );
    expect(seen.map((attempt) => attempt.header)).toEqual([undefined, 1, 2]);
    // The broker's own record: the second attempt came out of the 100 ms tier, the third out of the 200 ms one.
    expect(tierDeaths(seen[1]).map((death) => death.queue)).toEqual([retryQueueName(connection.names, 100)]);
    expect(tierDeaths(seen[2]).map((death) => death.queue)).toEqual([retryQueueName(connection.names, 200)]);
    // Acked after the third: processed, and no copy left to come back.
    await eventually(
      async () => outcomes.filter((entry) => entry.outcome === 'processed').length > processedBefore,
    );
    await eventually(nothingQueued, { what: 'no copy left in the queue or the tiers' });
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

  it("when a handler keeps failing transiently, then it is dead-lettered after its policy's last attempt, through every tier", async () => {
    const key = randomUUID();

    await send('test.always-transient', key);

    const deadLetter = await deadLetterOf(key);
    // The handler's @RetryPolicy allows 4 attempts, one more than the configured default of 3.
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

  it('when a failure asks for a longer wait than the policy, then the retry waits in a tier at least that long', async () => {
    const key = randomUUID();

    await send('test.slow-down', key);

    const seen = await eventually(async () =>
      attempts.get(key)?.length === 2 ? attempts.get(key) : undefined,
    );
    // The policy says 100 ms after the first attempt; Retry-After asked for 350 ms: the 400 ms tier.
    expect(tierDeaths(seen[1]).map((death) => death.queue)).toEqual([retryQueueName(connection.names, 400)]);
  });

  it('when a handler says it had seen the message, then it is acked and counted as a duplicate', async () => {
    const key = randomUUID();

    await send('test.duplicate', key);

    await eventually(async () => outcomes.some((entry) => entry.outcome === 'duplicate'));
    await eventually(nothingQueued, { what: 'the duplicate acked' });
    expect(attempts.get(key)).toHaveLength(1);
  });

  it('when a message kills the consumer every time, then the broker dead-letters it at the delivery limit', async () => {
    const key = randomUUID();

    await send('test.crash', key);

    const deadLetter = await deadLetterOf(key);
    // Limit 2: dead-lettered after the third delivery, none of which was ever acked or parked by the worker.
    expect(attempts.get(key)).toHaveLength(3);
    const [death] = deadLetter.properties.headers!['x-death'] as { reason: string; queue: string }[];
    expect(death).toMatchObject({ reason: 'delivery_limit', queue: probeQueue });
    expect(deadLetter.properties.headers).not.toHaveProperty('x-error-code');
  });

  it('when messages of producer-chosen types are handled, then metric labels never carry an unknown type', () => {
    // The queue accepts any type, so every outcome is labelled with the queue's pattern, not the type.
    expect(new Set(outcomes.map((entry) => entry.type))).toEqual(new Set([PATTERN]));
  });
});
