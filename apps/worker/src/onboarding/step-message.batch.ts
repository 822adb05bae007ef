import { BatchItemOutcome, BatchMessage, MessageBatchHandler, MessageValidationPipe } from '@app/messaging';
import type { StepMessage, StepOutcome } from '@app/onboarding';

/** A validated step message of a batch. */
export interface StepBatchItem<T> {
  message: StepMessage;
  payload: T;
}

/**
 * A step queue's batch path: the messages that arrive together run as one batch of the step (see its `runMany`),
 * next to the queue's ordinary handler, which stays the path of every message the batch does not take.
 */
export abstract class StepMessageBatch<T extends { userId: string }> implements MessageBatchHandler<T> {
  /** Enough to fill a prefetch window: one transaction of this size stays short (a few milliseconds). */
  readonly maxBatchSize = 64;
  private readonly validation = new MessageValidationPipe();

  protected constructor(private readonly payloadType: new () => T) {}

  /** What the ordinary handler's {@link MessageValidationPipe} would give it, or undefined when it refuses. */
  async parse(payload: unknown): Promise<T | undefined> {
    try {
      return (await this.validation.transform(payload, { type: 'body', metatype: this.payloadType })) as T;
    } catch {
      return undefined;
    }
  }

  async handle(messages: readonly BatchMessage<T>[]): Promise<BatchItemOutcome[]> {
    // One unit per user and per message in a batch: a second one (a redelivered duplicate, a resend) waits for
    // the one-by-one path, where the inbox and the user's lock order them.
    const users = new Set<string>();
    const messageIds = new Set<string>();
    const taken: StepBatchItem<T>[] = [];
    const positions: number[] = [];
    messages.forEach(({ messageId, requestId, payload }, index) => {
      if (users.has(payload.userId) || messageIds.has(messageId)) return;
      users.add(payload.userId);
      messageIds.add(messageId);
      taken.push({ message: { messageId, requestId }, payload });
      positions.push(index);
    });
    const outcomes: BatchItemOutcome[] = messages.map(() => 'one-by-one');
    (await this.run(taken)).forEach((outcome, index) => {
      if (outcome !== undefined)
        outcomes[positions[index]] = outcome === 'duplicate' ? 'duplicate' : 'processed';
    });
    return outcomes;
  }

  /** @returns per item, in order: its outcome, or undefined to leave it to the one-by-one path */
  protected abstract run(items: readonly StepBatchItem<T>[]): Promise<readonly (StepOutcome | undefined)[]>;
}
