import type { EntityManager } from 'typeorm';

/** What an observer learns about a dead letter the ledger has just recorded. */
export interface RecordedDeadLetter {
  messageId: string;
  type: string;
  routingKey: string;
  /** The body parsed, when it is JSON; null otherwise. */
  payload: unknown;
  errorCode: string;
  errorMessage: string;
  /** The queue it failed in, when known. */
  queue: string | null;
}

/**
 * A domain's reaction to one of its messages being dead-lettered (onboarding marks the user failed). Runs inside
 * the ledger's transaction, so the ledger row and the reaction commit together. Throwing rolls both back and the
 * dead letter is requeued and tried again later: an observer must ignore a message it cannot make sense of
 * rather than throw on it.
 */
export interface DeadLetterObserver {
  onDeadLettered(manager: EntityManager, deadLetter: RecordedDeadLetter): Promise<void>;
}

/** DI token of the observers the ledger notifies (see DeadLettersModule.forRoot). */
export const DEAD_LETTER_OBSERVERS = Symbol('DEAD_LETTER_OBSERVERS');
