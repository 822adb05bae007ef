import type { Channel } from 'amqplib';
import type { ConsumerQueue, WorkQueueArguments } from './consumer-queue';
import { RETRY_TIER_HEADER, retryQueueName, retryTierValue, TopologyNames } from './topology-names';

/**
 * Deliveries of one dead letter after which the broker moves it from the dead-letter queue to the parked queue.
 * The ledger never requeues in a loop, so only crashes of the ledger's process (or outages longer than the
 * consumer timeout) count here. Explicit because RabbitMQ 4.x gives every quorum queue a default limit of 20
 * and drops what passes it when there is no dead-letter target.
 */
export const DEAD_LETTER_DELIVERY_LIMIT = 50;

export interface ConsumerTopology {
  queues: readonly ConsumerQueue[];
  work: WorkQueueArguments;
  /** One retry-tier queue per delay (the union of the handlers' retry policies). */
  retryDelaysMs: readonly number[];
}

// Without reject-publish, RabbitMQ silently degrades at-least-once dead-lettering to at-most-once.
const AT_LEAST_ONCE = { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' } as const;

/** Every exchange; what a publisher needs. Idempotent. */
export async function assertExchanges(channel: Channel, names: TopologyNames): Promise<void> {
  await channel.assertExchange(names.eventsExchange, 'topic', { durable: true });
  await channel.assertExchange(names.stepsExchange, 'direct', { durable: true });
  await channel.assertExchange(names.deadLetterExchange, 'topic', { durable: true });
  await channel.assertExchange(names.retryExchange, 'headers', { durable: true });
}

/**
 * The consumer side, idempotently: exchanges, the dead-letter and parked queues, each consumer queue with its
 * bindings, and the retry tiers. Re-declaring a queue with other arguments closes the channel (406): change
 * queue arguments by introducing new queue names, never by editing these in place.
 */
export async function assertConsumerTopology(
  channel: Channel,
  names: TopologyNames,
  topology: ConsumerTopology,
): Promise<void> {
  await assertExchanges(channel, names);
  await assertDeadLetterQueues(channel, names);
  for (const queue of topology.queues) await assertConsumerQueue(channel, names, queue, topology.work);
  for (const delayMs of topology.retryDelaysMs) {
    const tier = retryQueueName(names, delayMs);
    // On expiry a message goes back through the default exchange under the routing key it was parked with,
    // the name of the queue it came from: only that queue sees the retry, not every subscriber of the event.
    await channel.assertQueue(tier, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': delayMs,
        'x-dead-letter-exchange': '',
        ...AT_LEAST_ONCE,
      },
    });
    await channel.bindQueue(tier, names.retryExchange, '', {
      'x-match': 'all',
      [RETRY_TIER_HEADER]: retryTierValue(delayMs),
    });
  }
}

/** One consumer queue and its bindings (also used to bring back a queue that was deleted under a consumer). */
export async function assertConsumerQueue(
  channel: Channel,
  names: TopologyNames,
  queue: ConsumerQueue,
  work: WorkQueueArguments,
): Promise<void> {
  if (queue.role === 'dead-letters') {
    await assertDeadLetterQueues(channel, names);
    return;
  }
  await channel.assertQueue(queue.name, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': names.deadLetterExchange,
      ...AT_LEAST_ONCE,
      'x-delivery-limit': work.deliveryLimit,
      'x-message-ttl': Math.trunc(work.messageTtlMs),
    },
  });
  for (const binding of queue.bindings) {
    await channel.bindQueue(queue.name, binding.exchange, binding.routingKey);
  }
}

async function assertDeadLetterQueues(channel: Channel, names: TopologyNames): Promise<void> {
  await channel.assertQueue(names.parkedDeadLetterQueue, {
    durable: true,
    arguments: { 'x-queue-type': 'classic' },
  });
  await channel.assertQueue(names.deadLetterQueue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': DEAD_LETTER_DELIVERY_LIMIT,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': names.parkedDeadLetterQueue,
      ...AT_LEAST_ONCE,
    },
  });
  await channel.bindQueue(names.deadLetterQueue, names.deadLetterExchange, '#');
}
