import type { RmqDelivery } from './rmq-delivery';

/** One message of a batch, validated: what a batch handler needs of it. */
export interface BatchMessage<T> {
  messageId: string;
  /** The request that started it all (`x-request-id`), when the message carries one. */
  requestId?: string;
  payload: T;
}

/**
 * What became of one message of a batch that committed: applied, seen before (its inbox said so), or left for the
 * one-by-one path (the handler could not take it in this batch, such as a second message for the same unit).
 */
export type BatchItemOutcome = 'processed' | 'duplicate' | 'one-by-one';

/**
 * Takes several messages of one queue in one go (one transaction, one inbox insert for all of them), as a faster
 * path next to the queue's ordinary handler, which stays the reference: every message the batch cannot take, and
 * every message of a batch that failed, goes through the ordinary handler one by one, with its retry policy and
 * failure classification. A batch handler either commits every message it reports `processed` or `duplicate`, or
 * throws; whatever it committed before throwing must be what the ordinary handler then finds done (its inbox says
 * so), as a message of a failed batch runs again by itself.
 */
export interface MessageBatchHandler<T = unknown> {
  /** Most messages per batch (at most the prefetch arrive at once anyway). */
  readonly maxBatchSize: number;
  /**
   * The payload as the ordinary handler's validation would give it, or undefined when it would refuse it (the
   * message then takes the ordinary path, which dead-letters it with the validation errors).
   */
  parse(payload: unknown): Promise<T | undefined>;
  /** @returns an outcome per message, in the order given */
  handle(messages: readonly BatchMessage<T>[]): Promise<readonly BatchItemOutcome[]>;
}

/**
 * Collects the deliveries of one queue that arrive together (in the same turn of the event loop: amqplib hands
 * over everything one socket read brought) into batches of at most `maxSize`. A lone message is a batch of one, so
 * at low load nothing waits: a batch is flushed before the event loop reads the socket again.
 */
export class MessageBatcher {
  private pending: RmqDelivery[] = [];
  private scheduled = false;

  constructor(
    private readonly maxSize: number,
    private readonly flush: (deliveries: RmqDelivery[]) => void,
  ) {}

  add(delivery: RmqDelivery): void {
    this.pending.push(delivery);
    if (this.pending.length >= this.maxSize) {
      this.flushNow();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flushNow());
  }

  private flushNow(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flush(batch);
  }
}
