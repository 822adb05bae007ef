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
 * Collects the deliveries of one queue into batches of at most `maxSize`, with at most `maxInFlight` batches
 * being handled at once. A batch goes as soon as a slot is free: what arrived together (in the same turn of the
 * event loop: amqplib hands over everything one socket read brought) goes together, a lone message at low load is
 * a batch of one and waits for nothing. While every slot is taken, deliveries wait for the next free one, so the
 * batches grow with the load instead of the transactions multiplying (each costs its own round trips).
 */
export class MessageBatcher {
  private pending: RmqDelivery[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly maxSize: number,
    private readonly maxInFlight: number,
    /** Handles a batch; the slot is free again when it settles. */
    private readonly flush: (deliveries: RmqDelivery[]) => Promise<void>,
  ) {}

  add(delivery: RmqDelivery): void {
    this.pending.push(delivery);
    if (this.inFlight >= this.maxInFlight) return;
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
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxSize);
      this.inFlight += 1;
      // flush settles, failed or not (the server handles a batch's failure itself); the slot frees either way.
      void this.flush(batch)
        .catch(() => undefined)
        .finally(() => {
          this.inFlight -= 1;
          this.flushNow();
        });
    }
  }
}
