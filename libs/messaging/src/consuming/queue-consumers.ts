import { exponentialBackoff } from '@app/resilience';
import { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { setTimeout as sleep } from 'node:timers/promises';
import { SupervisedChannel } from '../connection/supervised-channel';
import type { ConsumerQueue } from '../topology/consumer-queue';
import { ConsumerChannel } from './rmq-delivery';

export interface QueueConsumersOptions {
  queues: readonly ConsumerQueue[];
  /** Declares the whole consumer topology; runs on every (re)open of the channel. */
  declare: (channel: Channel) => Promise<void>;
  /** Declares one queue again (after the broker cancelled our consumer because the queue was deleted). */
  declareQueue: (channel: Channel, queue: ConsumerQueue) => Promise<void>;
  onMessage: (queue: ConsumerQueue, message: ConsumeMessage, source: ConsumerChannel) => void;
}

/**
 * The consumers of every queue on one supervised channel (per-consumer prefetch: a global QoS closes a
 * connection that consumes a quorum queue). What they should be doing is kept apart from what the channel
 * allows: `resume()` and `pause()` say whether to consume, and every (re)opened channel is brought to that
 * state. A consumer the broker cancels (its queue was deleted) is brought back by declaring the queue again.
 * After `stop()`, no consumer attaches again.
 */
export class QueueConsumers {
  private readonly logger = new Logger(QueueConsumers.name);
  private readonly channel: SupervisedChannel;
  private source?: ConsumerChannel;
  /** Queue name → consumer tag, on the current channel. */
  private readonly tags = new Map<string, string>();
  private wanted = false;
  private stopped = false;
  /** Serialises setup, pause, resume and re-consuming, which all change `tags`. */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    connection: AmqpConnectionManager,
    private readonly options: QueueConsumersOptions,
  ) {
    this.channel = new SupervisedChannel(connection, {
      name: 'consuming',
      confirm: false,
      setup: (channel) => this.serialised(() => this.setUp(channel)),
      onClose: (channel) => {
        if (this.source?.channel === channel) {
          this.source = undefined;
          this.tags.clear();
        }
      },
    });
  }

  /** Every queue has a consumer on an open channel. */
  get isConsuming(): boolean {
    return !!this.source?.isOpen && this.tags.size === this.options.queues.length;
  }

  /** Whether `queue` has a consumer right now. */
  isConsumingQueue(queue: string): boolean {
    return !!this.source?.isOpen && this.tags.has(queue);
  }

  get isChannelOpen(): boolean {
    return !!this.source?.isOpen;
  }

  /** Consume every queue (now, if a channel is open; else as soon as one is). */
  resume(): Promise<void> {
    return this.serialised(async () => {
      if (this.stopped) return;
      this.wanted = true;
      if (this.source?.isOpen) await this.consumeAll(this.source);
    });
  }

  /** Stop taking messages; those already delivered stay unacked on the channel, to be settled by their handlers. */
  pause(): Promise<void> {
    return this.serialised(() => this.cancelAll());
  }

  /** Stop taking messages for good: no consumer attaches afterwards, whatever the channel does. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.serialised(() => this.cancelAll());
  }

  /** Closes the channel (the broker requeues whatever is still unacked on it). */
  async close(): Promise<void> {
    this.stopped = true;
    await this.channel.close();
  }

  private serialised<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.serial.then(operation, operation);
    this.serial = next.catch(() => undefined);
    return next;
  }

  private async setUp(channel: Channel): Promise<void> {
    this.tags.clear();
    await this.options.declare(channel);
    const source = new ConsumerChannel(channel);
    this.source = source;
    if (this.wanted && !this.stopped) await this.consumeAll(source);
  }

  private async cancelAll(): Promise<void> {
    this.wanted = false;
    const source = this.source;
    const tags = [...this.tags.values()];
    this.tags.clear();
    if (!source?.isOpen) return;
    for (const tag of tags) await source.channel.cancel(tag).catch(() => undefined);
  }

  private async consumeAll(source: ConsumerChannel): Promise<void> {
    for (const queue of this.options.queues) {
      if (!this.tags.has(queue.name)) await this.consume(source, queue);
    }
  }

  private async consume(source: ConsumerChannel, queue: ConsumerQueue): Promise<void> {
    if (!this.wanted || this.stopped || !source.isOpen) return;
    // Applies to the consumers started after it on this channel: each queue gets its own limit.
    await source.channel.prefetch(queue.prefetch, false);
    const { consumerTag } = await source.channel.consume(
      queue.name,
      (message) => {
        if (message) this.options.onMessage(queue, message, source);
        else void this.onCancelledByBroker(source, queue, consumerTag);
      },
      { noAck: false },
    );
    this.tags.set(queue.name, consumerTag);
    this.logger.log(`consuming ${queue.name} (prefetch ${queue.prefetch})`);
  }

  /** The broker cancelled a consumer (its queue was deleted): declare the queue again and consume it again. */
  private async onCancelledByBroker(
    source: ConsumerChannel,
    queue: ConsumerQueue,
    consumerTag: string,
  ): Promise<void> {
    this.logger.warn(
      `the broker cancelled the consumer of ${queue.name} (queue deleted?); declaring it again`,
    );
    const delays = exponentialBackoff({ initialMs: 100, maxMs: 5000 });
    for (;;) {
      const done = await this.serialised(async () => {
        if (this.tags.get(queue.name) === consumerTag) this.tags.delete(queue.name);
        // A new channel re-declares and re-consumes everything in its own setup; a pause consumes nothing.
        if (!source.isOpen || this.source !== source || !this.wanted || this.stopped) return true;
        if (this.tags.has(queue.name)) return true;
        await this.options.declareQueue(source.channel, queue);
        await this.consume(source, queue);
        return true;
      }).catch((error: Error) => {
        this.logger.warn(`bringing back ${queue.name} failed: ${error.message}`);
        return false;
      });
      if (done) return;
      await sleep(delays.next());
    }
  }
}
