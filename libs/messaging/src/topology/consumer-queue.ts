/** What a queue is for: a worker's input (retried, dead-lettered), or the dead-letter queue (into the ledger). */
export type ConsumerQueueRole = 'work' | 'dead-letters';

/** An exchange binding of a consumer queue. */
export interface QueueBinding {
  exchange: string;
  routingKey: string;
}

/**
 * One queue a worker consumes, and everything about it the transport needs: its bindings, the handler its
 * messages go to, the message types that handler accepts, and how many of its messages may be in flight.
 */
export interface ConsumerQueue {
  /** Full queue name (see `queueName`). */
  name: string;
  role: ConsumerQueueRole;
  /** The `@EventPattern` every message of this queue is dispatched to. */
  pattern: string;
  bindings: readonly QueueBinding[];
  /** Message `type`s the handler accepts; any other is poison (`MESSAGE_TYPE_UNKNOWN`). Empty: any. */
  accepts: readonly string[];
  /** Unacked messages of this queue at once (a per-consumer prefetch). */
  prefetch: number;
}

/** Arguments every work queue is declared with; fixed when the queue is first declared. */
export interface WorkQueueArguments {
  /** Messages older than this are dead-lettered by the broker with reason `expired`. */
  messageTtlMs: number;
  /** A message delivered more often (for example because it crashes the worker) is dead-lettered. */
  deliveryLimit: number;
}
