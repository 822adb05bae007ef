import { BatchItemOutcome, BatchMessage, MessageBatchHandler, MessageValidationPipe } from '@app/messaging';
import { ProvisionAccountStep, Registration } from '@app/onboarding';
import { UserRegisteredEvent } from '@app/users';
import { Injectable } from '@nestjs/common';

/**
 * The provision-account queue's batch path: the registrations that arrive together are provisioned in one
 * transaction (see {@link ProvisionAccountStep.runMany}); {@link ProvisionAccountHandler} stays the path of every
 * message the batch does not take.
 */
@Injectable()
export class ProvisionAccountBatch implements MessageBatchHandler<UserRegisteredEvent> {
  /** Enough to fill a prefetch window: one transaction of this size stays short (a few milliseconds). */
  readonly maxBatchSize = 64;
  private readonly validation = new MessageValidationPipe();

  constructor(private readonly step: ProvisionAccountStep) {}

  /** What the ordinary handler's {@link MessageValidationPipe} would give it, or undefined when it refuses. */
  async parse(payload: unknown): Promise<UserRegisteredEvent | undefined> {
    try {
      return (await this.validation.transform(payload, {
        type: 'body',
        metatype: UserRegisteredEvent,
      })) as UserRegisteredEvent;
    } catch {
      return undefined;
    }
  }

  async handle(messages: readonly BatchMessage<UserRegisteredEvent>[]): Promise<BatchItemOutcome[]> {
    // One unit per user and per message in a transaction: a second one (a redelivered duplicate, a replay) waits
    // for the one-by-one path, where the inbox and the user's lock order them.
    const users = new Set<string>();
    const messageIds = new Set<string>();
    const taken: Registration[] = [];
    const positions: number[] = [];
    messages.forEach(({ messageId, requestId, payload }, index) => {
      if (users.has(payload.userId) || messageIds.has(messageId)) return;
      users.add(payload.userId);
      messageIds.add(messageId);
      taken.push({ message: { messageId, requestId }, event: payload });
      positions.push(index);
    });
    const outcomes: BatchItemOutcome[] = messages.map(() => 'one-by-one');
    (await this.step.runMany(taken)).forEach((outcome, index) => {
      outcomes[positions[index]] = outcome === 'duplicate' ? 'duplicate' : 'processed';
    });
    return outcomes;
  }
}
