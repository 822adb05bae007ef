/**
 * How handling one message ended, for metrics: processed (or skipped as a duplicate), parked for a retry,
 * dead-lettered, held while a dependency is down, or, for a dead letter, recorded in the ledger or parked.
 */
export type MessageOutcome =
  'processed' | 'duplicate' | 'retried' | 'dead_lettered' | 'paused' | 'ledger_recorded' | 'ledger_parked';

/** What a handler resolves with to say it had seen the message before (its inbox said so). */
export const DUPLICATE_MESSAGE = 'duplicate';
