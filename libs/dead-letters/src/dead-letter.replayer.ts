import { AppConfig } from '@app/config';
import { topologyNames, TopologyNames } from '@app/messaging';
import { OutboxWriter } from '@app/outbox';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { replayMessage } from './dead-letter-replay';
import type { DeadLetter } from './dead-letter.entity';
import { DeadLetterRepository } from './dead-letter.repository';
import { DeadLetterNotFoundError, DeadLetterNotPendingError } from './dead-letters.errors';

/**
 * Replays dead letters through the outbox under their original message id, in the caller's transaction (the
 * outbox row and the `replayed` mark commit together, so a replay survives a broker outage like any event). For
 * the ledger's admin routes and for a retry of a failed onboarding step.
 */
@Injectable()
export class DeadLetterReplayer {
  private readonly names: TopologyNames;

  constructor(
    config: AppConfig,
    private readonly deadLetters: DeadLetterRepository,
    private readonly outbox: OutboxWriter,
  ) {
    this.names = topologyNames(config.rabbitmq.topologyPrefix);
  }

  /**
   * Locks the pending dead letter `messageId` and replays it.
   * @throws DeadLetterNotFoundError, DeadLetterNotPendingError, DeadLetterNotReplayableError
   */
  async replayPending(manager: EntityManager, messageId: string, requestId?: string): Promise<DeadLetter> {
    const deadLetter = await this.lockPending(manager, messageId);
    await this.replay(manager, [deadLetter], new Date(), requestId);
    return deadLetter;
  }

  /** Locks a dead letter that must be pending (for a replay or a discard). */
  async lockPending(manager: EntityManager, messageId: string): Promise<DeadLetter> {
    const deadLetter = await this.deadLetters.findById(messageId, manager);
    if (!deadLetter) throw new DeadLetterNotFoundError(messageId);
    if (deadLetter.status !== 'pending') throw new DeadLetterNotPendingError(messageId, deadLetter.status);
    return deadLetter;
  }

  /** Replays dead letters the caller has locked. @throws DeadLetterNotReplayableError */
  async replay(manager: EntityManager, deadLetters: DeadLetter[], replayedAt: Date, requestId?: string) {
    for (const deadLetter of deadLetters) {
      await this.outbox.enqueue(manager, replayMessage(deadLetter, this.names, replayedAt, requestId));
    }
    await this.deadLetters.markReplayed(
      manager,
      deadLetters.map((deadLetter) => deadLetter.messageId),
    );
  }
}
