import { DomainError } from '@app/errors';
import type { DeadLetterStatus } from './dead-letter.entity';

export class DeadLetterNotFoundError extends DomainError {
  readonly code = 'DEAD_LETTER_NOT_FOUND';
  readonly kind = 'permanent';

  constructor(readonly messageId: string) {
    super(`no dead letter with message id ${messageId}`);
  }
}

/** Only a pending dead letter can be replayed or discarded: the others have been dealt with already. */
export class DeadLetterNotPendingError extends DomainError {
  readonly code = 'DEAD_LETTER_NOT_PENDING';
  readonly kind = 'permanent';

  constructor(
    readonly messageId: string,
    readonly status: DeadLetterStatus,
  ) {
    super(`dead letter ${messageId} is ${status}, not pending`);
  }
}

/** The outbox carries JSON events published under their routing key, so only such a message can go through it. */
export class DeadLetterNotReplayableError extends DomainError {
  readonly code = 'DEAD_LETTER_NOT_REPLAYABLE';
  readonly kind = 'permanent';

  constructor(
    readonly messageId: string,
    reason: string,
  ) {
    super(`dead letter ${messageId} cannot be replayed: ${reason}`);
  }
}

export class InvalidDeadLetterCursorError extends DomainError {
  readonly code = 'INVALID_CURSOR';
  readonly kind = 'permanent';

  constructor() {
    super('the cursor is malformed; use the nextCursor of a previous page');
  }
}

/**
 * Another delivery of the same dead-letter occurrence committed first (two consumers had it at once after a
 * channel was replaced). Transient: trying again finds it recorded and changes nothing.
 */
export class ConcurrentOccurrenceError extends DomainError {
  readonly code = 'DEAD_LETTER_RECORDED_CONCURRENTLY';
  readonly kind = 'transient';

  constructor(readonly occurrenceId: string) {
    super(`occurrence ${occurrenceId} was recorded concurrently`);
  }
}
