import { RootLogger, runWithLogContext } from '@app/observability';
import { RmqContext, ServerRMQ } from '@nestjs/microservices';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { isObservable, lastValueFrom } from 'rxjs';
import { connectWithBackoff } from '../connection/amqp-connect';
import { readDeadLetter } from '../dead-letters/received-dead-letter';
import { HandlerTimeoutError, InvalidMessageError } from '../messaging.errors';
import { DeadLetterPublisher } from '../publishing/dead-letter.publisher';
import { RetryPublisher } from '../publishing/retry.publisher';
import { decideFailure, FailureDecision, OutageDetector } from '../retry/failure-decision';
import type { RetryPolicyOptions } from '../retry/retry-policy';
import type { RetryTiers } from '../retry/retry-tiers';
import type { ConsumerQueue, WorkQueueArguments } from '../topology/consumer-queue';
import { assertConsumerQueue, assertConsumerTopology } from '../topology/declare-topology';
import { sampleQueueDepths } from '../topology/queue-depths';
import type { TopologyNames } from '../topology/topology-names';
import { TopologyWatchdog } from '../topology/topology.watchdog';
import { DependencyGate, GatedDependency } from './dependency-gate';
import { FailureExecutor } from './failure.executor';
import { InFlight } from './in-flight';
import { BatchMessage, MessageBatcher, MessageBatchHandler } from './message-batch';
import { DUPLICATE_MESSAGE, MessageOutcome } from './message-outcome';
import { QueueConsumers } from './queue-consumers';
import { ConsumerChannel, RmqDelivery } from './rmq-delivery';

export interface ReliableRmqServerOptions {
  url: string;
  heartbeatSeconds: number;
  connectionName: string;
  names: TopologyNames;
  /** Every queue to consume, each dispatched to the handler of its `pattern`. */
  queues: readonly ConsumerQueue[];
  work: WorkQueueArguments;
  /** The delay tiers to declare and park retries in; asked once the handlers are registered (at listen). */
  retryTiers: () => RetryTiers;
  /** For failures that never reached a retry interceptor (an invalid message, a handler timeout). */
  defaultRetryPolicy: RetryPolicyOptions;
  outageDetectors: readonly OutageDetector[];
  /** What the consumer cannot work without (PostgreSQL): consuming pauses while one is down. */
  dependencies: readonly GatedDependency[];
  retries: RetryPublisher;
  deadLetters: DeadLetterPublisher;
  /** A handler running longer fails (transiently), well before the broker's consumer timeout. */
  handlerTimeoutMs: number;
  /** On shutdown, how long in-flight handlers get to finish before the channel is closed under them. */
  drainTimeoutMs: number;
  /** How long a message may be held unacked while a dependency is down before it goes back to its queue. */
  maxHoldMs: number;
  /** How often the topology is declared again (bindings lost with a deleted exchange come back). */
  topologyCheckIntervalMs: number;
  /** Per-message log lines derive from it, with the message's request id, id and type. */
  rootLogger: RootLogger;
  /**
   * Told how each message ended (for metrics), with the queue's handler (its pattern) and the message type,
   * bounded to the types the queue accepts (`unknown` otherwise).
   */
  onOutcome?: (outcome: MessageOutcome, labels: { type: string; handler: string }) => void;
  /**
   * Faster paths for queues whose messages can be applied several at a time, by queue pattern; the pattern's
   * ordinary handler stays the path of every message a batch does not take (see {@link MessageBatchHandler}).
   */
  batchHandlers?: ReadonlyMap<string, MessageBatchHandler>;
  /** Called once per batch of two or more: committed, or failed (its messages then went on one by one). */
  onBatch?: (outcome: 'committed' | 'failed', labels: { handler: string }, size: number) => void;
}

/** Why the consumer is or is not taking messages, for readiness. */
export interface ConsumerStatus {
  consuming: boolean;
  detail: string;
}

/**
 * Batches of one queue handled at once (MessageBatcher): two, so that one batch's commit overlaps the next one's
 * work, and the rest of the load waits to join the next batch rather than opening transactions of its own.
 */
const BATCHES_IN_FLIGHT_PER_QUEUE = 2;

/**
 * Nest's RMQ transport with the reliability it leaves out (see DESIGN.md, "What the RMQ transport does NOT do").
 * It consumes several queues on one supervised channel (queue-consumers), each message going to the handler of
 * its queue's pattern behind the retry interceptor, and carries out what the interceptor decided
 * (failure.executor); it pauses while PostgreSQL is down (dependency-gate), keeps its topology declared
 * (topology.watchdog), times handlers out before the broker would, and drains on shutdown (in-flight).
 *
 * `listen` returns at once: the connection is made in the background, since with the broker down Nest's
 * `startAllMicroservices()` would otherwise never resolve. See {@link whenConsuming}.
 */
export class ReliableRmqServer extends ServerRMQ {
  private consumers?: QueueConsumers;
  private watchdog?: TopologyWatchdog;
  private readonly gate: DependencyGate;
  private readonly failures: FailureExecutor;
  private readonly inFlight = new InFlight();
  private readonly closingSignal = new AbortController();
  private tiers?: RetryTiers;
  private closing = false;
  /** One batcher per queue that has a batch handler, by queue name. */
  private readonly batchers = new Map<string, MessageBatcher>();

  constructor(private readonly settings: ReliableRmqServerOptions) {
    super({
      urls: [settings.url],
      queue: settings.queues[0]?.name ?? '',
      noAck: false,
      isGlobalPrefetchCount: false,
      noAssert: true,
    });
    this.gate = new DependencyGate({
      dependencies: settings.dependencies,
      maxHoldMs: settings.maxHoldMs,
      onClose: async () => this.consumers?.pause(),
      onOpen: async () => this.consumers?.resume(),
    });
    this.failures = new FailureExecutor({
      retries: settings.retries,
      deadLetters: settings.deadLetters,
      tiers: () => this.retryTiers,
      gate: this.gate,
      closing: this.closingSignal.signal,
      onOutcome: (delivery, outcome) => this.count(delivery, outcome),
    });
  }

  /** Consuming every queue on an open channel, with every dependency up. */
  get isConsuming(): boolean {
    return !this.closing && this.gate.isOpen && !!this.consumers?.isConsuming;
  }

  consumerStatus(): ConsumerStatus {
    if (this.closing) return { consuming: false, detail: 'shutting down' };
    if (!this.gate.isOpen) return { consuming: false, detail: `paused: ${this.gate.waitingFor} unavailable` };
    if (!this.consumers?.isChannelOpen) return { consuming: false, detail: 'no channel to RabbitMQ' };
    const missing = this.settings.queues.filter((queue) => !this.consumers?.isConsumingQueue(queue.name));
    if (missing.length > 0) {
      return { consuming: false, detail: `not consuming ${missing.map((queue) => queue.name).join(', ')}` };
    }
    return { consuming: true, detail: 'consuming' };
  }

  /** Whether `queue` has a consumer right now (for the consumer-up gauge). */
  isConsumingQueue(queue: string): boolean {
    return !this.closing && this.gate.isOpen && !!this.consumers?.isConsumingQueue(queue);
  }

  /**
   * Messages ready in the queues this server consumes, and in the parked dead letters (for the queue-depth gauge).
   * Not the retry tiers: messages wait there by design, for their delay. Empty while there is no connection.
   */
  async queueDepths(): Promise<Map<string, number>> {
    const manager = this.server as AmqpConnectionManager | null;
    if (!manager || this.closing) return new Map();
    const queues = [
      ...this.settings.queues.map((queue) => queue.name),
      this.settings.names.parkedDeadLetterQueue,
    ];
    return sampleQueueDepths(manager, [...new Set(queues)]);
  }

  /** Resolves once consuming (tests, and anything that must not race the first messages). */
  async whenConsuming(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isConsuming) {
      if (Date.now() > deadline)
        throw new Error(`not consuming after ${timeoutMs} ms: ${this.consumerStatus().detail}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  override createClient<T = AmqpConnectionManager>(): T {
    return connectWithBackoff({
      url: this.settings.url,
      heartbeatSeconds: this.settings.heartbeatSeconds,
      connectionName: this.settings.connectionName,
    }) as T;
  }

  override listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const unhandled = this.settings.queues.filter((queue) => !this.getHandlerByPattern(queue.pattern));
      if (unhandled.length > 0) {
        throw new Error(`no handler for ${unhandled.map((queue) => queue.pattern).join(', ')}`);
      }
      const manager = this.createClient<AmqpConnectionManager>();
      this.server = manager;
      this.consumers = new QueueConsumers(manager, {
        queues: this.settings.queues,
        declare: (channel) => this.declareTopology(channel),
        declareQueue: (channel, queue) =>
          assertConsumerQueue(channel, this.settings.names, queue, this.settings.work),
        onMessage: (queue, message, source) => this.onMessage(queue, message, source),
      });
      this.watchdog = new TopologyWatchdog(
        manager,
        (channel) => this.declareTopology(channel),
        this.settings.topologyCheckIntervalMs,
      );
      this.watchdog.start();
      // Consumers attach once the first probe of every dependency succeeds (the gate starts closed).
      this.gate.start();
      callback();
    } catch (error) {
      callback(error);
    }
    return Promise.resolve();
  }

  /**
   * Stops taking messages (no consumer attaches from now on), lets in-flight handlers finish up to the drain
   * deadline, then closes the channel (the broker requeues whatever is still unacked) and the connection.
   */
  override async close(): Promise<void> {
    this.closing = true;
    this.closingSignal.abort();
    await this.consumers?.stop();
    await this.gate.stop();
    await this.watchdog?.stop();
    const unfinished = await this.inFlight.drain(this.settings.drainTimeoutMs);
    if (unfinished > 0) {
      this.logger.warn(
        `${unfinished} handler(s) still running at the drain deadline; the broker redelivers them`,
      );
    }
    await this.consumers?.close();
    await (this.server as AmqpConnectionManager | null)?.close();
  }

  private get retryTiers(): RetryTiers {
    this.tiers ??= this.settings.retryTiers();
    return this.tiers;
  }

  private declareTopology(channel: Channel): Promise<void> {
    return assertConsumerTopology(channel, this.settings.names, {
      queues: this.settings.queues,
      work: this.settings.work,
      retryDelaysMs: this.retryTiers.delaysMs,
    });
  }

  private onMessage(queue: ConsumerQueue, message: ConsumeMessage, source: ConsumerChannel): void {
    // Left unacked: the channel closes in a moment and the broker hands it to another consumer.
    if (this.closing) return;
    const delivery = new RmqDelivery(message, source, queue);
    const batcher = this.batcherOf(queue);
    if (batcher) batcher.add(delivery);
    else void this.dispatch(delivery);
  }

  private batcherOf(queue: ConsumerQueue): MessageBatcher | undefined {
    const handler = queue.role === 'work' ? this.settings.batchHandlers?.get(queue.pattern) : undefined;
    if (!handler) return undefined;
    let batcher = this.batchers.get(queue.name);
    if (!batcher) {
      batcher = new MessageBatcher(handler.maxBatchSize, BATCHES_IN_FLIGHT_PER_QUEUE, (deliveries) =>
        this.dispatchBatch(deliveries, handler),
      );
      this.batchers.set(queue.name, batcher);
    }
    return batcher;
  }

  private async dispatchBatch(deliveries: RmqDelivery[], handler: MessageBatchHandler): Promise<void> {
    if (this.closing) return;
    if (deliveries.length === 1) return this.dispatch(deliveries[0]);
    const { pattern } = deliveries[0].queue;
    return this.inFlight.run(() =>
      runWithLogContext(this.settings.rootLogger, { type: pattern, batch: deliveries.length }, () =>
        this.processBatch(deliveries, handler),
      ),
    );
  }

  /**
   * The batch path: the messages the handler can parse are applied together, acked once that committed; every
   * other message, and every message of a batch that failed (nothing of it was committed), takes the ordinary
   * path one by one, where its failure is classified, retried or dead-lettered as always. A failed batch costs no
   * attempt.
   */
  private async processBatch(deliveries: RmqDelivery[], handler: MessageBatchHandler): Promise<void> {
    const batch: { delivery: RmqDelivery; message: BatchMessage<unknown> }[] = [];
    const oneByOne: RmqDelivery[] = [];
    for (const delivery of deliveries) {
      const message = await this.batchMessageOf(delivery, handler);
      if (message) batch.push({ delivery, message });
      else oneByOne.push(delivery);
    }
    let outcomes: readonly string[] = [];
    if (batch.length > 1) {
      const labels = { handler: deliveries[0].queue.pattern };
      try {
        outcomes = await this.withHandlerTimeout(handler.handle(batch.map((item) => item.message)));
        this.settings.onBatch?.('committed', labels, batch.length);
      } catch (error) {
        this.settings.onBatch?.('failed', labels, batch.length);
        this.logger.debug?.(
          `a batch of ${batch.length} failed (${(error as Error).message}); each message goes on by itself`,
        );
      }
    }
    batch.forEach(({ delivery }, index) => {
      const outcome = outcomes[index];
      if (outcome !== 'processed' && outcome !== 'duplicate') {
        oneByOne.push(delivery);
        return;
      }
      this.count(delivery, outcome);
      if (!delivery.ack())
        this.logger.warn('processed, but the channel it came on is gone; it will be redelivered');
    });
    for (const delivery of oneByOne) void this.dispatch(delivery);
  }

  /** The message as the batch handler takes it; undefined for anything the ordinary path must judge. */
  private async batchMessageOf(
    delivery: RmqDelivery,
    handler: MessageBatchHandler,
  ): Promise<BatchMessage<unknown> | undefined> {
    const { accepts } = delivery.queue;
    const { messageId } = delivery;
    if (!messageId || (accepts.length > 0 && !accepts.includes(delivery.eventType))) return undefined;
    let payload: unknown;
    try {
      payload = await handler.parse(parseJson(delivery.message.content));
    } catch {
      return undefined;
    }
    return payload === undefined ? undefined : { messageId, requestId: delivery.requestId, payload };
  }

  private dispatch(delivery: RmqDelivery): Promise<void> {
    const bindings = {
      requestId: delivery.requestId,
      messageId: delivery.messageId,
      type: delivery.eventType,
    };
    return this.inFlight.run(() =>
      runWithLogContext(this.settings.rootLogger, bindings, () =>
        delivery.queue.role === 'work' ? this.processWork(delivery) : this.processDeadLetter(delivery),
      ),
    );
  }

  private async processWork(delivery: RmqDelivery): Promise<void> {
    try {
      const { accepts } = delivery.queue;
      if (accepts.length > 0 && !accepts.includes(delivery.eventType)) {
        throw new InvalidMessageError(
          `${delivery.queue.name} takes no messages of type "${delivery.eventType}"`,
          [],
          'MESSAGE_TYPE_UNKNOWN',
        );
      }
      if (!delivery.messageId) {
        // Deduplication keys on the message id: without one, exactly-once effects cannot be promised.
        throw new InvalidMessageError('message has no messageId property', [], 'MESSAGE_ID_MISSING');
      }
      const result = await this.invoke(delivery, parseJson(delivery.message.content));
      this.count(delivery, result === DUPLICATE_MESSAGE ? 'duplicate' : 'processed');
      if (!delivery.ack())
        this.logger.warn('processed, but the channel it came on is gone; it will be redelivered');
    } catch (error) {
      await this.failures.execute(delivery, this.decide(delivery, error), () => void this.dispatch(delivery));
    }
  }

  /**
   * Hands a dead letter to the ledger. While PostgreSQL is down the consumer pauses and the dead letter is held;
   * any other failure would repeat, so the dead letter is parked instead: the dead-letter queue never loops.
   */
  private async processDeadLetter(delivery: RmqDelivery): Promise<void> {
    try {
      await this.invoke(delivery, readDeadLetter(delivery.message));
      this.count(delivery, 'ledger_recorded');
      delivery.ack();
    } catch (error) {
      const decision = this.decide(delivery, error);
      if (decision.action.kind === 'pause') {
        await this.failures.execute(delivery, decision, () => void this.dispatch(delivery));
      } else {
        await this.failures.parkDeadLetter(delivery, decision.error);
      }
    }
  }

  private async invoke(delivery: RmqDelivery, payload: unknown): Promise<unknown> {
    const handler = this.getHandlerByPattern(delivery.queue.pattern)!;
    const context = new RmqContext([delivery.message, delivery.channel, delivery.queue.pattern]);
    return this.withHandlerTimeout(
      (async () => {
        const result: unknown = await handler(payload, context);
        return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
      })(),
    );
  }

  /** Fails (transiently) a handler that runs past WORKER_HANDLER_TIMEOUT_MS. */
  private async withHandlerTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new HandlerTimeoutError(this.settings.handlerTimeoutMs)),
            this.settings.handlerTimeoutMs,
          );
          // A handler stuck for good (its process is going away) must not keep the process alive.
          timer.unref();
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The interceptor's decision, or the same classification for errors that did not pass through it. */
  private decide(delivery: RmqDelivery, error: unknown): FailureDecision {
    return decideFailure(
      error,
      delivery.attempt,
      this.settings.defaultRetryPolicy,
      this.settings.outageDetectors,
    );
  }

  private count(delivery: RmqDelivery, outcome: MessageOutcome): void {
    const { accepts, pattern } = delivery.queue;
    // Producers choose the type: an unknown one must not become a new metric label.
    const type =
      accepts.length === 0 ? pattern : accepts.includes(delivery.eventType) ? delivery.eventType : 'unknown';
    this.settings.onOutcome?.(outcome, { type, handler: pattern });
  }
}

function parseJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8')) as unknown;
  } catch {
    throw new InvalidMessageError('message body is not JSON', [], 'MESSAGE_NOT_JSON');
  }
}
