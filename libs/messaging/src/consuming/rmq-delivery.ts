import type { Channel, ConsumeMessage } from 'amqplib';
import { createHash } from 'node:crypto';
import { attemptOf, originalRoutingKey } from '../publishing/failure-headers';
import type { ConsumerQueue } from '../topology/consumer-queue';

/**
 * The id of a message that came without one: a hash of its routing key and content, so that the same message
 * parked twice (by the worker, or redelivered from the dead-letter queue) keeps one identity.
 */
export function contentMessageId(routingKey: string, content: Buffer): string {
  return `sha256:${createHash('sha256').update(routingKey).update(content).digest('hex')}`;
}

/** A consumer channel and whether it is still open; deliveries remember the channel they came on. */
export class ConsumerChannel {
  private open = true;

  constructor(readonly channel: Channel) {
    channel.once('close', () => {
      this.open = false;
    });
  }

  get isOpen(): boolean {
    return this.open;
  }
}

/**
 * One message received from the broker, settled (acked, requeued or rejected) at most once, and only on the
 * channel it arrived on while that channel is open. A delivery tag from a channel that has since been replaced
 * is meaningless to the new one (acking it there closes the channel with "unknown delivery tag"); the broker
 * redelivers such a message by itself, and the idempotent consumer absorbs the repeat.
 */
export class RmqDelivery {
  private settled = false;

  constructor(
    readonly message: ConsumeMessage,
    private readonly source: ConsumerChannel,
    /** The queue it was consumed from. */
    readonly queue: ConsumerQueue,
  ) {}

  get channel(): Channel {
    return this.source.channel;
  }

  /** Whether the channel it came on is still open, hence whether it can still be settled here. */
  get isChannelOpen(): boolean {
    return this.source.isOpen;
  }

  get messageId(): string | undefined {
    const id: unknown = this.message.properties.messageId;
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  }

  /** The stable stand-in for a missing message id. */
  get contentMessageId(): string {
    return contentMessageId(originalRoutingKey(this.message), this.message.content);
  }

  get headers(): Record<string, unknown> {
    return this.message.properties.headers ?? {};
  }

  /** The event type: the `type` property, else the original routing key (retries reroute the message). */
  get eventType(): string {
    const type: unknown = this.message.properties.type;
    return typeof type === 'string' && type.length > 0 ? type : originalRoutingKey(this.message);
  }

  get requestId(): string | undefined {
    const id = this.headers['x-request-id'];
    return typeof id === 'string' ? id : undefined;
  }

  /** 1 on the first delivery; n+1 after n failed attempts. */
  get attempt(): number {
    return attemptOf(this.message);
  }

  get isSettled(): boolean {
    return this.settled;
  }

  /** @returns whether the ack was sent (false when the channel it came on is gone) */
  ack(): boolean {
    return this.settle((channel) => channel.ack(this.message));
  }

  /** Gives the message back to the queue (it counts towards the queue's delivery limit). */
  requeue(): boolean {
    return this.settle((channel) => channel.nack(this.message, false, true));
  }

  private settle(operation: (channel: Channel) => void): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (!this.source.isOpen) return false;
    try {
      operation(this.source.channel);
      return true;
    } catch (error) {
      // The channel closed between the check and the call: same situation as above.
      if ((error as Error).name === 'IllegalOperationError') return false;
      this.settled = false;
      throw error;
    }
  }
}
