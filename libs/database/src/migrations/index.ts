import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { DeadLetterLedger1764200000000 } from './1764200000000-dead-letter-ledger';
import { OutboxExchange1764300000000 } from './1764300000000-outbox-exchange';
import { IdempotencyKeys1764500000000 } from './1764500000000-idempotency-keys';

/** Every migration, oldest first. Listed explicitly so that the build needs no file globbing. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  DeadLetterLedger1764200000000,
  OutboxExchange1764300000000,
  IdempotencyKeys1764500000000,
];
