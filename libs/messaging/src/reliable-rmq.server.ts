import { RootLogger, runWithLogContext } from '@app/observability';
import { exponentialBackoff } from '@app/resilience';
import { failureCode } from '@app/errors';
import { RmqContext, ServerRMQ } from '@nestjs/microservices';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { setTimeout as sleep } from 'node:timers/promises';
import { isObservable, lastValueFrom } from 'rxjs';
import { connectWithBackoff } from './amqp-connect';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { InvalidMessageError } from './messaging.errors';
import { DEAD_LETTER_PATTERN, readDeadLetter } from './received-dead-letter';
import {
  isPermanentFailure,
  jitteredExpirationMs,
  RetryPolicy,
  retryTierDelayMs,
  retryTierDelays,
} from './retry-policy';
import { ATTEMPT_HEADER, RetryPublisher } from './retry.publisher';
import { ConsumerChannel, RmqDelivery } from './rmq-delivery';
import { assertConsumerTopology, ConsumerQueueSettings, retryQueueName, TopologyNames } from './topology';

export interface ReliableRmqServerOptions {
  url: string;
  heartbeatSeconds: number;
  connectionName: string;
  names: TopologyNames;
  queue: Omit<ConsumerQueueSettings, 'retryDelaysMs'>;
  /** Unacked messages the broker may push at once (per queue); also the number of handlers running at once. */
  prefetch: number;
  retry: RetryPolicy;
  retries: RetryPublisher;
  deadLetters: DeadLetterPublisher;
  /**
   * Also consume the dead-letter queue, handing each message to the `DEAD_LETTER_PATTERN` handler (the ledger).
   * A dead letter whose handler fails is requeued after a backoff, never dropped.
   */
  ingestDeadLetters: boolean;
  /** On shutdown, how long in-flight handlers get to finish before the channel is closed under them. */
  drainTimeoutMs: number;
  /** Per-message log lines derive from it, with the message's request id, id and type. */
  rootLogger: RootLogger;
  /** Told how each message ended (for metrics). */
  onOutcome?: (type: string, outcome: MessageOutcome) => void;
}

/** How handling a message ended: settled (processed, parked for a retry, dead-lettered), or given back. */
export type MessageOutcome = 'processed' | 'retried' | 'dead_lettered' | 'requeued' | 'ledger_recorded';

type ConsumerKind = 'events' | 'dead-letters';

/**
 * Nest's RMQ transport with the reliability it leaves out (see DESIGN.md, "What the RMQ transport does NOT do"):
 * manual acks on every path, bounded prefetch (per consumer: global QoS closes a quorum-queue connection),
 * topology declared on every (re)connect, reconnects with backoff and jitter, dispatch on the message `type`,
 * transient failures retried through broker-held delay tiers, permanent ones and the last retry dead-lettered
 * with their reason, acks only on the channel a message came on, and a drain of in-flight handlers on shutdown.
 *
 * Handlers are ordinary `@EventPattern(type)` methods; they must throw to fail (see RpcErrorPassthroughFilter).
 */
export class ReliableRmqServer extends ServerRMQ {
  private consumers: { source: ConsumerChannel; consumerTags: string[] } | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Shared by all dead letters: consecutive ledger failures (database down) back off; a success resets it. */
  private readonly ledgerBackoff = exponentialBackoff({ initialMs: 500, maxMs: 30_000 });
  private readonly closingSignal = new AbortController();
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
    return !this.closing && !!this.consumers?.source.isOpen && !!connection?.isConnected();
  }

  override createClient<T = AmqpConnectionManager>(): T {
    return connectWithBackoff({
      url: this.settings.url,
      heartbeatSeconds: this.settings.heartbeatSeconds,
      connectionName: this.settings.connectionName,
    }) as T;
  }

  override async setupChannel(channel: Channel, callback: () => void): Promise<void> {
    const { names } = this.settings;
    try {
      const source = new ConsumerChannel(channel);
      await assertConsumerTopology(channel, names, {
        ...this.settings.queue,
        retryDelaysMs: retryTierDelays(this.settings.retry),
      });
      await channel.prefetch(this.settings.prefetch, false);
      const queues: [string, ConsumerKind][] = [[names.workerQueue, 'events']];
      if (this.settings.ingestDeadLetters) queues.push([names.deadLetterQueue, 'dead-letters']);
      const consumerTags: string[] = [];
      for (const [queue, kind] of queues) {
        const { consumerTag } = await channel.consume(
          queue,
          (message) => void this.dispatch(message, source, kind),
          {
            noAck: false,
          },
        );
        consumerTags.push(consumerTag);
      }
      this.consumers = { source, consumerTags };
      this.logger.log(
        `consuming ${queues.map(([queue]) => queue).join(', ')} (prefetch ${this.settings.prefetch})`,
      );
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
    this.closingSignal.abort();
    const consumers = this.consumers;
    if (consumers?.source.isOpen) {
      for (const tag of consumers.consumerTags) {
        await consumers.source.channel.cancel(tag).catch(() => undefined);
      }
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

  private async dispatch(
    message: ConsumeMessage | null,
    source: ConsumerChannel,
    kind: ConsumerKind,
  ): Promise<void> {
    if (!message) {
      this.logger.warn('the broker cancelled a consumer (queue deleted?)');
      return;
    }
    const delivery = new RmqDelivery(message, source);
    const bindings = {
      requestId: delivery.requestId,
      messageId: delivery.messageId,
      type: delivery.eventType,
    };
    const task = runWithLogContext(this.settings.rootLogger, bindings, () =>
      kind === 'events' ? this.processEvent(delivery) : this.processDeadLetter(delivery),
    );
    this.inFlight.add(task);
    try {
      await task;
    } finally {
      this.inFlight.delete(task);
    }
  }

  private async processEvent(delivery: RmqDelivery): Promise<void> {
    try {
      const handler = this.getHandlerByPattern(delivery.eventType);
      if (!handler || delivery.eventType === DEAD_LETTER_PATTERN) {
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
      await this.invoke(handler, payload, delivery);
      this.settings.onOutcome?.(delivery.eventType, 'processed');
      if (!delivery.ack())
        this.logger.warn('processed, but the channel it came on is gone; it will be redelivered');
    } catch (error) {
      await this.onFailure(delivery, error);
    }
  }

  /** Hands a dead letter to the ledger; if that fails (database down), waits and gives it back to the queue. */
  private async processDeadLetter(delivery: RmqDelivery): Promise<void> {
    try {
      const handler = this.getHandlerByPattern(DEAD_LETTER_PATTERN);
      if (!handler) throw new Error(`no ${DEAD_LETTER_PATTERN} handler registered`);
      await this.invoke(handler, readDeadLetter(delivery.message), delivery);
      this.settings.onOutcome?.(delivery.eventType, 'ledger_recorded');
      delivery.ack();
      this.ledgerBackoff.reset();
    } catch (error) {
      const delayMs = this.ledgerBackoff.next();
      this.logger.error(
        `could not record a dead letter (${(error as Error).message}); requeueing in ${delayMs} ms`,
      );
      // Interrupted by close(): a dead letter waiting here must not hold up the shutdown.
      await sleep(delayMs, undefined, { signal: this.closingSignal.signal }).catch(() => undefined);
      delivery.requeue();
    }
  }

  private async invoke(
    handler: NonNullable<ReturnType<ServerRMQ['getHandlerByPattern']>>,
    payload: unknown,
    delivery: RmqDelivery,
  ): Promise<void> {
    const context = new RmqContext([delivery.message, delivery.channel, delivery.eventType]);
    const result: unknown = await handler(payload, context);
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  /** The one place where a failed message's fate is decided: retry later, or dead-letter now. */
  private async onFailure(delivery: RmqDelivery, error: unknown): Promise<void> {
    const attempt = attemptOf(delivery);
    const { retry } = this.settings;
    const code = failureCode(error);
    const reason = (error as Error)?.message ?? String(error);
    try {
      if (!isPermanentFailure(error) && attempt < retry.maxAttempts) {
        const tierDelayMs = retryTierDelayMs(retry, attempt);
        const expirationMs = jitteredExpirationMs(retry, tierDelayMs);
        this.logger.warn(
          `attempt ${attempt}/${retry.maxAttempts} failed (${code}: ${reason}); retry in ~${expirationMs} ms`,
        );
        await this.settings.retries.publish(
          delivery,
          error,
          attempt,
          retryQueueName(this.settings.names, tierDelayMs),
          expirationMs,
        );
        this.settings.onOutcome?.(delivery.eventType, 'retried');
      } else {
        this.logger.error(`dead-lettering after attempt ${attempt} (${code}: ${reason})`);
        await this.settings.deadLetters.publish(delivery, error, attempt);
        this.settings.onOutcome?.(delivery.eventType, 'dead_lettered');
      }
      delivery.ack();
    } catch (publishError) {
      // Parking it failed (broker trouble): hand it back. The queue's delivery limit dead-letters it in the end.
      this.logger.error(
        `could not park the failed message: ${(publishError as Error).message}; requeueing it`,
      );
      this.settings.onOutcome?.(delivery.eventType, 'requeued');
      delivery.requeue();
    }
  }
}

/** 1 on the first delivery; n+1 after n failed attempts (counted in a header by the retry path). */
function attemptOf(delivery: RmqDelivery): number {
  const failed = Number(delivery.headers[ATTEMPT_HEADER] ?? 0);
  return Number.isInteger(failed) && failed >= 0 ? failed + 1 : 1;
}

function parseJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8')) as unknown;
  } catch {
    throw new InvalidMessageError('message body is not JSON', [], 'MESSAGE_NOT_JSON');
  }
}
