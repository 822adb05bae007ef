import { AppConfig } from '@app/config';
import { ConsumerQueue, DEAD_LETTER_PATTERN, queueName, TopologyNames } from '@app/messaging';
import { ONBOARDING_STEP_NAMES, ONBOARDING_STEPS } from '@app/onboarding';
import { WEBHOOK_FANOUT, WEBHOOK_FANOUT_EVENT_TYPES } from '@app/webhooks';

/** The steps whose queue has a batch path (see worker.consumer.ts): they take RABBITMQ_BATCH_PREFETCH. */
export const BATCHED_STEP_NAMES = [
  ONBOARDING_STEP_NAMES.provisionAccount,
  ONBOARDING_STEP_NAMES.sendVerificationEmail,
] as const;
export type BatchedStepName = (typeof BATCHED_STEP_NAMES)[number];

/**
 * Every queue the worker consumes: one per onboarding step (a slow or failing step never takes the prefetch
 * slots of another), bound to the events that start the step and to its commands on the steps exchange; the
 * webhook fan-out's queue, bound to the user events other than `user.registered` (which provision-account fans
 * out: see WEBHOOK_FANOUT_EVENT_TYPES); and the dead-letter queue, drained into the ledger.
 */
export function workerQueues(names: TopologyNames, config: AppConfig): ConsumerQueue[] {
  const prefetch = config.rabbitmq.prefetch;
  const steps = ONBOARDING_STEPS.map((step): ConsumerQueue => ({
    name: queueName(names, `step.${step.name}`),
    role: 'work',
    pattern: step.name,
    bindings: [
      ...step.startedBy.map((event) => ({ exchange: names.eventsExchange, routingKey: event })),
      { exchange: names.stepsExchange, routingKey: step.name },
    ],
    accepts: [...step.startedBy, step.name],
    prefetch: (BATCHED_STEP_NAMES as readonly string[]).includes(step.name)
      ? config.rabbitmq.batchPrefetch
      : prefetch,
  }));
  const webhooks: ConsumerQueue = {
    name: queueName(names, 'webhooks'),
    role: 'work',
    pattern: WEBHOOK_FANOUT,
    bindings: WEBHOOK_FANOUT_EVENT_TYPES.map((event) => ({
      exchange: names.eventsExchange,
      routingKey: event,
    })),
    accepts: WEBHOOK_FANOUT_EVENT_TYPES,
    prefetch,
  };
  return [
    ...steps,
    webhooks,
    {
      name: names.deadLetterQueue,
      role: 'dead-letters',
      pattern: DEAD_LETTER_PATTERN,
      bindings: [],
      accepts: [],
      prefetch,
    },
  ];
}
