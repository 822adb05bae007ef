/**
 * Every exchange and queue name, derived from one prefix (`RABBITMQ_TOPOLOGY_PREFIX`) so that several
 * environments, or test runs, can share a broker without seeing each other's messages.
 */
export interface TopologyNames {
  prefix: string;
  /** Topic exchange every domain event is published to (routing key = event type). */
  eventsExchange: string;
  /** Direct exchange for the worker's own commands: one onboarding step to run (routing key = step name). */
  stepsExchange: string;
  /** Topic exchange that receives dead letters (routing key = the original one). */
  deadLetterExchange: string;
  /** Headers exchange in front of the retry tiers: a message goes to the tier its `retry-tier` header names. */
  retryExchange: string;
  /** Where dead letters wait for the dead-letter ledger. */
  deadLetterQueue: string;
  /**
   * Where a dead letter goes that the ledger could not take after many deliveries (it crashed the ledger over and
   * over): held for an operator, never dropped. A classic queue: it counts no deliveries, so no broker version
   * drops anything from it.
   */
  parkedDeadLetterQueue: string;
}

export function topologyNames(prefix: string): TopologyNames {
  return {
    prefix,
    eventsExchange: `${prefix}.events`,
    stepsExchange: `${prefix}.steps`,
    deadLetterExchange: `${prefix}.dlx`,
    retryExchange: `${prefix}.retry`,
    deadLetterQueue: `${prefix}.dlq`,
    parkedDeadLetterQueue: `${prefix}.dlq.parked`,
  };
}

/** A consumer queue's full name, e.g. `onboarding.step.provision-account`. */
export function queueName(names: TopologyNames, localName: string): string {
  return `${names.prefix}.${localName}`;
}

/** The retry-tier queue holding messages for `delayMs` before they return to the queue they came from. */
export function retryQueueName(names: TopologyNames, delayMs: number): string {
  return `${names.prefix}.retry.${delayMs}ms`;
}

/**
 * Header selecting a retry tier at the retry exchange, e.g. `1000ms`. Not `x-` prefixed: RabbitMQ's headers
 * exchange ignores such headers when matching (from 4.x, unless bound with `all-with-x`).
 */
export const RETRY_TIER_HEADER = 'retry-tier';

export const retryTierValue = (delayMs: number) => `${delayMs}ms`;
