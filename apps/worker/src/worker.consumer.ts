import { AppConfig } from '@app/config';
import {
  DeadLetterPublisher,
  RabbitMqConnection,
  ReliableRmqServer,
  RetryPublisher,
  topologyNames,
} from '@app/messaging';
import { ROOT_LOGGER, RootLogger } from '@app/observability';
import { USER_EVENTS } from '@app/users';
import { Provider } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/**
 * The worker's RMQ transport: consumes the worker queue and the dead-letter queue, retries and dead-letters
 * through the publishing connection.
 */
export const workerConsumerProvider: Provider = {
  provide: ReliableRmqServer,
  inject: [AppConfig, RabbitMqConnection, ROOT_LOGGER, Registry],
  useFactory: (config: AppConfig, rabbit: RabbitMqConnection, rootLogger: RootLogger, registry: Registry) => {
    const messages = new Counter({
      name: 'onboarding_messages_total',
      help: 'Messages handled by the worker, by type and outcome (processed, retried, dead_lettered, requeued, ledger_recorded)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    });
    return new ReliableRmqServer({
      url: config.rabbitmq.url,
      heartbeatSeconds: config.rabbitmq.heartbeatSeconds,
      connectionName: 'onboarding-worker-consumer',
      names: topologyNames(config.rabbitmq.topologyPrefix),
      queue: {
        bindings: [USER_EVENTS.registered],
        messageTtlMs: config.rabbitmq.messageTtlMs,
        deliveryLimit: config.rabbitmq.deliveryLimit,
      },
      prefetch: config.rabbitmq.prefetch,
      retry: config.retry,
      retries: new RetryPublisher(rabbit.publisher),
      deadLetters: new DeadLetterPublisher(rabbit.publisher, rabbit.names),
      // Moves the DLQ into the dead-letter ledger (DeadLetterHandler).
      ingestDeadLetters: true,
      drainTimeoutMs: config.shutdownTimeoutMs,
      rootLogger,
      onOutcome: (type, outcome) => messages.inc({ type, outcome }),
    });
  },
};
