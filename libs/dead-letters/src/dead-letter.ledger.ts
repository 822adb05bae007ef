import { DatabaseConnector, isDatabaseConnectionError } from '@app/database';
import type { ReceivedDeadLetter } from '@app/messaging';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeDeadLetterCursor, encodeDeadLetterCursor } from './dead-letter-cursor';
import { DeadLetterOccurrence } from './dead-letter-occurrence.entity';
import { DeadLetter } from './dead-letter.entity';
import { DEAD_LETTER_OBSERVERS, DeadLetterObserver } from './dead-letter.observer';
import { DeadLetterFilter, DeadLetterRepository, RecordOutcome } from './dead-letter.repository';
import { DeadLetterReplayer } from './dead-letter.replayer';
import { ConcurrentOccurrenceError, DeadLetterNotFoundError } from './dead-letters.errors';
import { minimalDeadLetter, StorableDeadLetter, toStorableDeadLetter } from './storable-dead-letter';

export interface DeadLetterPage {
  items: DeadLetter[];
  nextCursor: string | null;
}

export interface DeadLetterDetail {
  deadLetter: DeadLetter;
  occurrences: DeadLetterOccurrence[];
}

export interface BulkReplayResult {
  dryRun: boolean;
  count: number;
  messageIds: string[];
}

/**
 * The dead-letter ledger: records what the worker takes from the DLQ (telling the owning domain, in the same
 * transaction), and lets an operator look, replay through the outbox, or discard. The HTTP controller and the
 * DLQ handler are thin adapters over it.
 */
@Injectable()
export class DeadLetterLedger {
  private readonly logger = new Logger(DeadLetterLedger.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConnector,
    private readonly deadLetters: DeadLetterRepository,
    private readonly replayer: DeadLetterReplayer,
    @Inject(DEAD_LETTER_OBSERVERS) private readonly observers: readonly DeadLetterObserver[],
  ) {}

  /**
   * Records a dead letter (a redelivered occurrence changes nothing); the observers react in the same
   * transaction. What PostgreSQL cannot store as it is (NUL characters, lone surrogates, a body that is not
   * UTF-8) is escaped or left out and said so on the row; should PostgreSQL refuse the row anyway, a minimal row
   * (ids, reason, raw body) is recorded instead. Only an outage of the database makes this throw.
   */
  async record(received: ReceivedDeadLetter): Promise<RecordOutcome> {
    this.database.assertConnected();
    const deadLetter = toStorableDeadLetter(received);
    let outcome: RecordOutcome;
    try {
      outcome = await this.recordInTransaction(deadLetter);
    } catch (error) {
      if (isDatabaseConnectionError(error)) throw error;
      this.logger.error(
        `PostgreSQL refused dead letter ${deadLetter.messageId} (${(error as Error).message}); recording a minimal row`,
      );
      outcome = await this.recordInTransaction(minimalDeadLetter(deadLetter, error));
    }
    this.logger.log(
      outcome === 'duplicate'
        ? `dead letter ${deadLetter.messageId} was recorded before; skipped`
        : `dead letter ${deadLetter.messageId} recorded (${deadLetter.errorCode}, by the ${deadLetter.deadLetteredBy})`,
    );
    return outcome;
  }

  private async recordInTransaction(deadLetter: StorableDeadLetter): Promise<RecordOutcome> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const outcome = await this.deadLetters.record(manager, deadLetter);
        if (outcome === 'duplicate') return outcome;
        for (const observer of this.observers) {
          await observer.onDeadLettered(manager, {
            messageId: deadLetter.messageId,
            type: deadLetter.type,
            routingKey: deadLetter.routingKey,
            payload: deadLetter.payload,
            errorCode: deadLetter.errorCode,
            errorMessage: deadLetter.errorMessage,
            queue: deadLetter.queue,
          });
        }
        return outcome;
      });
    } catch (error) {
      // Another delivery of this very occurrence committed first: it is recorded, which is what was wanted.
      if (error instanceof ConcurrentOccurrenceError) return 'duplicate';
      throw error;
    }
  }

  /** @throws InvalidDeadLetterCursorError */
  async list(filter: DeadLetterFilter, limit: number, cursor?: string): Promise<DeadLetterPage> {
    this.database.assertConnected();
    const after = cursor === undefined ? undefined : decodeDeadLetterCursor(cursor);
    const rows = await this.deadLetters.findPage(filter, limit + 1, after);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeDeadLetterCursor(last) : null };
  }

  /**
   * One dead letter, and every time its message was dead-lettered, oldest first, with the decision taken on each.
   * @throws DeadLetterNotFoundError
   */
  async get(messageId: string): Promise<DeadLetterDetail> {
    this.database.assertConnected();
    const deadLetter = await this.deadLetters.findById(messageId);
    if (!deadLetter) throw new DeadLetterNotFoundError(messageId);
    return { deadLetter, occurrences: await this.deadLetters.findOccurrences(messageId) };
  }

  /**
   * Publishes the message again through the outbox under its original id, and marks it replayed, in one
   * transaction. Should it fail again, it comes back to the ledger as pending.
   * @throws DeadLetterNotFoundError, DeadLetterNotPendingError, DeadLetterNotReplayableError
   */
  async replay(messageId: string, requestId?: string): Promise<DeadLetter> {
    this.database.assertConnected();
    return this.dataSource.transaction(async (manager) => {
      await this.replayer.replayPending(manager, messageId, requestId);
      this.logger.log(`dead letter ${messageId} replayed through the outbox`);
      return (await this.deadLetters.findById(messageId, manager))!;
    });
  }

  /**
   * Replays up to `limit` pending dead letters matching the filter, oldest first, skipping those that cannot
   * be replayed (body not JSON) and those another replay is working on. A dry run only lists them.
   */
  async replayMatching(
    filter: Omit<DeadLetterFilter, 'status'>,
    limit: number,
    dryRun: boolean,
    requestId?: string,
  ): Promise<BulkReplayResult> {
    this.database.assertConnected();
    const messageIds = await this.dataSource.transaction(async (manager) => {
      const deadLetters = await this.deadLetters.findReplayable(manager, filter, limit, !dryRun);
      if (!dryRun) await this.replayer.replay(manager, deadLetters, new Date(), requestId);
      return deadLetters.map((deadLetter) => deadLetter.messageId);
    });
    if (!dryRun) this.logger.log(`${messageIds.length} dead letter(s) replayed through the outbox`);
    return { dryRun, count: messageIds.length, messageIds };
  }

  /**
   * Gives up on a pending dead letter on purpose; it stays in the ledger, as `discarded`.
   * @throws DeadLetterNotFoundError, DeadLetterNotPendingError
   */
  async discard(messageId: string): Promise<DeadLetter> {
    this.database.assertConnected();
    return this.dataSource.transaction(async (manager) => {
      await this.replayer.lockPending(manager, messageId);
      await this.deadLetters.markDiscarded(manager, messageId);
      this.logger.log(`dead letter ${messageId} discarded`);
      return (await this.deadLetters.findById(messageId, manager))!;
    });
  }
}
