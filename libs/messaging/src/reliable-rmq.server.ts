import { RootLogger, runWithLogContext } from '@app/observability';
import { RmqContext, ServerRMQ } from '@nestjs/microservices';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { isObservable, lastValueFrom } from 'rxjs';
import { connectWithBackoff } from './amqp-connect';
import { DeadLetterPublisher, failureCode } from './dead-letter.publisher';
import { InvalidMessageError } from './messaging.errors';
import { ConsumerChannel, RmqDelivery } from './rmq-delivery';
import { assertConsumerTopology, ConsumerQueueSettings, TopologyNames } from './topology';

export interface ReliableRmqServerOptions {
  url: string;
  heartbeatSeconds: number;
  connectionName: string;
  names: TopologyNames;
  queue: ConsumerQueueSettings;
  /** Unacked messages the broker may push at once; also the number of handlers running at once. */
  prefetch: number;
  deadLetters: DeadLetterPublisher;
  /** On shutdown, how long in-flight handlers get to finish before the channel is closed under them. */
  drainTimeoutMs: number;
  /** Per-message log lines derive from it, with the message's request id, id and type. */
  rootLogger: RootLogger;
}

/**
 * Nest's RMQ transport with the reliability it leaves out (see DESIGN.md, "What the RMQ transport does NOT do"):
 * manual acks on every path, bounded prefetch (per consumer: global QoS closes a quorum-queue connection),
 * topology declared on every (re)connect, reconnects with backoff and jitter, dispatch on the message `type`,
 * failures dead-lettered with their reason instead of left unacked, acks only on the channel a message came on,
 * and a drain of in-flight handlers on shutdown.
 *
 * Handlers are ordinary `@EventPattern(type)` methods; they must throw to fail (see RpcErrorPassthroughFilter).
 */
export class ReliableRmqServer extends ServerRMQ {
  private consumer?: { source: ConsumerChannel; consumerTag: string };
  private readonly inFlight = new Set<Promise<void>>();
  private listening = false;
  private closing = false;

  constructor(private readonly settings: ReliableRmqServerOptions) {
    super({
      urls: [settings.url],
      queue: settings.names.workerQueue,
      noAck: false,
      prefetchCount: settings.prefetch,
      isGlobalPrefetchCount: false,
      noAssert: true,
    });
  }

  /** Connected, topology declared and consuming. */
  get isConsuming(): boolean {
    const connection = this.server as AmqpConnectionManager | null;
    return !this.closing && !!this.consumer?.source.isOpen && !!connection?.isConnected();
  }

  override createClient<T = AmqpConnectionManager>(): T {
    return connectWithBackoff({
      url: this.settings.url,
      heartbeatSeconds: this.settings.heartbeatSeconds,
      connectionName: this.settings.connectionName,
    }) as T;
  }

  override async setupChannel(channel: Channel, callback: () => void): Promise<void> {
    try {
      const source = new ConsumerChannel(channel);
      await assertConsumerTopology(channel, this.settings.names, this.settings.queue);
      await channel.prefetch(this.settings.prefetch, false);
      const { consumerTag } = await channel.consume(
        this.settings.names.workerQueue,
        (message) => void this.dispatch(message, source),
        { noAck: false },
      );
      this.consumer = { source, consumerTag };
      this.logger.log(`consuming ${this.settings.names.workerQueue} (prefetch ${this.settings.prefetch})`);
    } catch (error) {
      // Thrown out of here, the channel wrapper would emit an unhandled 'error' and crash the process. The
      // consumer stays detached (readiness reports it) until the next reconnect sets the channel up again.
      this.logger.error(`consumer setup failed: ${(error as Error).message}`);
      return;
    }
    if (!this.listening) {
      this.listening = true;
      callback();
    }
  }

  /**
   * Stops taking messages, lets in-flight handlers finish (up to the drain deadline), then closes the channel
   * (the broker requeues whatever is still unacked) and the connection.
   */
  override async close(): Promise<void> {
    this.closing = true;
    const consumer = this.consumer;
    if (consumer?.source.isOpen) {
      await consumer.source.channel.cancel(consumer.consumerTag).catch(() => undefined);
    }
    await this.drain();
    await super.close();
  }

  private async drain(): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.settings.drainTimeoutMs);
    });
    const outcome = await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn(
        `${this.inFlight.size} handler(s) still running at the drain deadline; the broker redelivers them`,
      );
    }
  }

  private async dispatch(message: ConsumeMessage | null, source: ConsumerChannel): Promise<void> {
    if (!message) {
      this.logger.warn(`the broker cancelled the consumer of ${this.settings.names.workerQueue}`);
      return;
    }
    const delivery = new RmqDelivery(message, source);
    const bindings = {
      requestId: delivery.requestId,
      messageId: delivery.messageId,
      type: delivery.eventType,
    };
    const task = runWithLogContext(this.settings.rootLogger, bindings, () => this.process(delivery));
    this.inFlight.add(task);
    try {
      await task;
    } finally {
      this.inFlight.delete(task);
    }
  }

  private async process(delivery: RmqDelivery): Promise<void> {
    try {
      const handler = this.getHandlerByPattern(delivery.eventType);
      if (!handler) {
        throw new InvalidMessageError(
          `no handler for type "${delivery.eventType}"`,
          [],
          'MESSAGE_TYPE_UNKNOWN',
        );
      }
      if (!delivery.messageId) {
        // Deduplication keys on the message id: without one, exactly-once effects cannot be promised.
        throw new InvalidMessageError('message has no messageId property', [], 'MESSAGE_ID_MISSING');
      }
      const payload = parseJson(delivery.message.content);
      const context = new RmqContext([delivery.message, delivery.channel, delivery.eventType]);
      const result: unknown = await handler(payload, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      if (!delivery.ack())
        this.logger.warn('processed, but the channel it came on is gone; it will be redelivered');
    } catch (error) {
      await this.deadLetter(delivery, error);
    }
  }

  /** The one place where a failed message's fate is decided. */
  private async deadLetter(delivery: RmqDelivery, error: unknown): Promise<void> {
    const code = failureCode(error);
    this.logger.error(`dead-lettering message (${code}): ${(error as Error)?.message ?? String(error)}`);
    try {
      await this.settings.deadLetters.publish(delivery, error, 1);
      delivery.ack();
    } catch (publishError) {
      // Parking it failed (broker trouble): hand it back. The queue's delivery limit dead-letters it in the end.
      this.logger.error(
        `could not dead-letter the message: ${(publishError as Error).message}; requeueing it`,
      );
      delivery.requeue();
    }
  }
}

function parseJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8')) as unknown;
  } catch {
    throw new InvalidMessageError('message body is not JSON', [], 'MESSAGE_NOT_JSON');
  }
}
