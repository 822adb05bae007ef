import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { DeadLetterLedger1764200000000 } from './1764200000000-dead-letter-ledger';
import { OutboxExchange1764300000000 } from './1764300000000-outbox-exchange';
import { RetentionIndexes1764310000000 } from './1764310000000-retention-indexes';
import { DeadLetterOccurrences1764320000000 } from './1764320000000-dead-letter-occurrences';
import { OnboardingStepUnits1764330000000 } from './1764330000000-onboarding-step-units';
import { UserLifecycle1764400000000 } from './1764400000000-user-lifecycle';
import { VerificationTokens1764400001000 } from './1764400001000-verification-tokens';
import { IdempotencyKeys1764500000000 } from './1764500000000-idempotency-keys';
import { Webhooks1764600000000 } from './1764600000000-webhooks';
import { FunnelIndexes1764800000000 } from './1764800000000-funnel-indexes';
import { OutboxHandoff1764900000000 } from './1764900000000-outbox-handoff';
import { OutboxNotifyUnclaimed1764900001000 } from './1764900001000-outbox-notify-unclaimed';

/** Every migration, oldest first. Listed explicitly so that the build needs no file globbing. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  DeadLetterLedger1764200000000,
  OutboxExchange1764300000000,
  RetentionIndexes1764310000000,
  DeadLetterOccurrences1764320000000,
  OnboardingStepUnits1764330000000,
  UserLifecycle1764400000000,
  VerificationTokens1764400001000,
  IdempotencyKeys1764500000000,
  Webhooks1764600000000,
  FunnelIndexes1764800000000,
  OutboxHandoff1764900000000,
  OutboxNotifyUnclaimed1764900001000,
];
