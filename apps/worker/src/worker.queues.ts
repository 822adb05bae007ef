import { AppConfig } from '@app/config';
import { ConsumerQueue, DEAD_LETTER_PATTERN, queueName, TopologyNames } from '@app/messaging';
import { ONBOARDING_STEP_NAMES } from '@app/onboarding';
import { USER_EVENTS } from '@app/users';

/**
 * Every queue the worker consumes: one per onboarding step (a slow or failing step never takes the prefetch
 * slots of another), and the dead-letter queue, drained into the ledger.
 */
export function workerQueues(names: TopologyNames, config: AppConfig): ConsumerQueue[] {
  const prefetch = config.rabbitmq.prefetch;
  return [
    {
      name: queueName(names, `step.${ONBOARDING_STEP_NAMES.provisionAccount}`),
      role: 'work',
      pattern: ONBOARDING_STEP_NAMES.provisionAccount,
      bindings: [{ exchange: names.eventsExchange, routingKey: USER_EVENTS.registered }],
      accepts: [USER_EVENTS.registered],
      prefetch,
    },
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
