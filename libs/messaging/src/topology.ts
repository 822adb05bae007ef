import type { Channel } from 'amqplib';

/**
 * Every exchange and queue name, derived from one prefix (`RABBITMQ_TOPOLOGY_PREFIX`) so that several
 * environments, or test runs, can share a broker without seeing each other's messages.
 */
export interface TopologyNames {
  /** Topic exchange every domain event is published to (routing key = event type). */
  eventsExchange: string;
  /** Direct exchange for the worker's own commands: one onboarding step to run (routing key = step name). */
  stepsExchange: string;
  /** Topic exchange that receives dead letters (routing key = the original one). */
  deadLetterExchange: string;
  /** The worker's quorum queue, bound to the events the worker handles. */
  workerQueue: string;
  /** Where dead letters wait for the dead-letter ledger. */
  deadLetterQueue: string;
}

export function topologyNames(prefix: string): TopologyNames {
  return {
    eventsExchange: `${prefix}.events`,
    stepsExchange: `${prefix}.steps`,
    deadLetterExchange: `${prefix}.dlx`,
    workerQueue: `${prefix}.worker`,
    deadLetterQueue: `${prefix}.dlq`,
  };
}

export interface ConsumerQueueSettings {
  /** Routing keys (event types) bound to the worker queue. */
  bindings: readonly string[];
  /** Messages older than this are dead-lettered by the broker with reason `expired`. */
  messageTtlMs: number;
  /** A message redelivered more often (for example because it crashes the worker) is dead-lettered. */
  deliveryLimit: number;
  /** One retry-tier queue per delay (see RetryPolicy). */
  retryDelaysMs: readonly number[];
}

/** The retry-tier queue holding messages for `delayMs` before they return to the worker queue. */
export function retryQueueName(names: TopologyNames, delayMs: number): string {
  return `${names.workerQueue}.retry.${delayMs}ms`;
}

/** Every exchange; what a publisher needs. Idempotent. */
export async function assertExchanges(channel: Channel, names: TopologyNames): Promise<void> {
  await channel.assertExchange(names.eventsExchange, 'topic', { durable: true });
  await channel.assertExchange(names.stepsExchange, 'direct', { durable: true });
  await channel.assertExchange(names.deadLetterExchange, 'topic', { durable: true });
}

/**
 * The consumer side: exchanges, the worker queue with its bindings, and the dead-letter queue.
 * Re-declaring a queue with other arguments closes the channel (406): change queue arguments by introducing
 * new queue names, never by editing these in place.
 */
export async function assertConsumerTopology(
  channel: Channel,
  names: TopologyNames,
  settings: ConsumerQueueSettings,
): Promise<void> {
  await assertExchanges(channel, names);
  await channel.assertQueue(names.deadLetterQueue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await channel.bindQueue(names.deadLetterQueue, names.deadLetterExchange, '#');
  await channel.assertQueue(names.workerQueue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': names.deadLetterExchange,
      // at-least-once dead-lettering silently degrades to at-most-once without reject-publish.
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
      'x-delivery-limit': settings.deliveryLimit,
      'x-message-ttl': Math.trunc(settings.messageTtlMs),
    },
  });
  for (const routingKey of settings.bindings) {
    await channel.bindQueue(names.workerQueue, names.eventsExchange, routingKey);
  }
  for (const delayMs of settings.retryDelaysMs) {
    // Expired messages go back to the worker queue through the default exchange: only this consumer's queue
    // sees a retry, not every subscriber of the event.
    await channel.assertQueue(retryQueueName(names, delayMs), {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': delayMs,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': names.workerQueue,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
  }
}
