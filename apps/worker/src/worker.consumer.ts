import { AppConfig } from '@app/config';
import { DatabaseConnector } from '@app/database';
import {
  DEFAULT_RETRY_POLICY,
  DeadLetterPublisher,
  MessageBatchHandler,
  OUTAGE_DETECTORS,
  OutageDetector,
  RabbitMqConnection,
  ReliableRmqServer,
  RetryPolicyExplorer,
  RetryPolicyOptions,
  RetryPublisher,
} from '@app/messaging';
import { ROOT_LOGGER, RootLogger } from '@app/observability';
import { ONBOARDING_STEP_NAMES, ONBOARDING_STEPS, OnboardingStepMetrics } from '@app/onboarding';
import { Provider } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ProvisionAccountBatch } from './onboarding/provision-account.batch';
import { SendVerificationEmailBatch } from './onboarding/send-verification-email.batch';
import { BatchedStepName, workerQueues } from './worker.queues';

/**
 * The worker's RMQ transport: consumes the step queues and the dead-letter queue, pauses while PostgreSQL is
 * down, retries and dead-letters through the publishing connection.
 */
export const workerConsumerProvider: Provider = {
  provide: ReliableRmqServer,
  inject: [
    AppConfig,
    RabbitMqConnection,
    DatabaseConnector,
    ROOT_LOGGER,
    Registry,
    RetryPolicyExplorer,
    DEFAULT_RETRY_POLICY,
    OUTAGE_DETECTORS,
    OnboardingStepMetrics,
    ProvisionAccountBatch,
    SendVerificationEmailBatch,
  ],
  useFactory: (
    config: AppConfig,
    rabbit: RabbitMqConnection,
    database: DatabaseConnector,
    rootLogger: RootLogger,
    registry: Registry,
    explorer: RetryPolicyExplorer,
    defaultRetryPolicy: RetryPolicyOptions,
    outageDetectors: OutageDetector[],
    stepMetrics: OnboardingStepMetrics,
    provisionAccountBatch: ProvisionAccountBatch,
    sendVerificationEmailBatch: SendVerificationEmailBatch,
  ) => {
    const messages = new Counter({
      name: 'onboarding_messages_total',
      help: 'Messages handled by the worker, by type and outcome (processed, duplicate, retried, dead_lettered, paused, ledger_recorded, ledger_parked)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    });
    const batches = new Histogram({
      name: 'onboarding_message_batch_size',
      help: 'Messages applied together in one transaction, by handler and outcome (committed, or failed: each of its messages then ran by itself)',
      labelNames: ['handler', 'outcome'],
      buckets: [2, 4, 8, 16, 32, 64],
      registers: [registry],
    });
    const batchHandlers: Record<BatchedStepName, MessageBatchHandler> = {
      [ONBOARDING_STEP_NAMES.provisionAccount]: provisionAccountBatch,
      [ONBOARDING_STEP_NAMES.sendVerificationEmail]: sendVerificationEmailBatch,
    };
    const queues = workerQueues(rabbit.names, config);
    const stepNames = new Set<string>(ONBOARDING_STEPS.map((step) => step.name));
    const server = new ReliableRmqServer({
      url: config.rabbitmq.url,
      heartbeatSeconds: config.rabbitmq.heartbeatSeconds,
      connectionName: 'onboarding-worker-consumer',
      names: rabbit.names,
      queues,
      work: { messageTtlMs: config.rabbitmq.messageTtlMs, deliveryLimit: config.rabbitmq.deliveryLimit },
      retryTiers: () => explorer.tiers(),
      defaultRetryPolicy,
      outageDetectors,
      dependencies: [{ name: 'PostgreSQL', probe: () => database.probe() }],
      retries: new RetryPublisher(rabbit.publisher, rabbit.names),
      deadLetters: new DeadLetterPublisher(rabbit.publisher, rabbit.names),
      handlerTimeoutMs: config.worker.handlerTimeoutMs,
      drainTimeoutMs: config.shutdownTimeoutMs,
      maxHoldMs: config.rabbitmq.consumerTimeoutMs / 2,
      topologyCheckIntervalMs: config.rabbitmq.topologyCheckIntervalMs,
      rootLogger,
      batchHandlers: new Map(Object.entries(batchHandlers)),
      onBatch: (outcome, { handler }, size) => batches.observe({ handler, outcome }, size),
      onOutcome: (outcome, { type, handler }) => {
        messages.inc({ type, outcome });
        // What became of a step's message, besides what the step itself counts (onboarding_step_outcomes_total).
        if (stepNames.has(handler) && (outcome === 'retried' || outcome === 'dead_lettered')) {
          stepMetrics.outcomes.inc({ step: handler, outcome });
        }
      },
    });
    new Gauge({
      name: 'onboarding_consumer_up',
      help: 'Whether the worker consumes the queue right now (1) or not (0: paused, disconnected, shutting down)',
      labelNames: ['queue'],
      registers: [registry],
      collect() {
        for (const queue of queues)
          this.set({ queue: queue.name }, server.isConsumingQueue(queue.name) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'onboarding_queue_messages',
      help: 'Messages ready in each queue the worker consumes, and in the parked dead letters, sampled from RabbitMQ at scrape time',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        const depths = await server.queueDepths();
        // Only what this scrape saw: a queue that could not be sampled has no value rather than a stale one.
        this.reset();
        for (const [queue, messages] of depths) this.set({ queue }, messages);
      },
    });
    return server;
  },
};
