/** The shapes of the admin API's answers the console reads (see /docs-json for the full contract). */

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  requestId?: string;
  errors?: { field: string; code: string; message: string }[];
}

export type OnboardingStatus = 'pending' | 'completed' | 'failed';
export type StepStatus = 'pending' | 'completed' | 'failed' | 'skipped';
export type DeadLetterStatus = 'pending' | 'replayed' | 'discarded';

export interface User {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  status: 'pending_verification' | 'active' | 'erased';
  onboardingStatus: OnboardingStatus;
  emailVerifiedAt: string | null;
  verificationMethod: 'token' | 'admin' | null;
  createdAt: string;
  updatedAt: string;
  erasedAt: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface StepUnit {
  step: string;
  unit: string;
  status: StepStatus;
  required: boolean;
  attempts: number;
  lastError: string | null;
  skippedReason: string | null;
  messageId: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
  startedAt: string | null;
  updatedAt: string;
  completedAt: string | null;
  deadLetteredAt: string | null;
}

export interface Timeline {
  userId: string;
  onboardingStatus: OnboardingStatus;
  steps: StepUnit[];
  deadLetters: {
    messageId: string;
    errorCode: string;
    errorMessage: string;
    status: DeadLetterStatus;
    deadLetteredAt: string;
  }[];
}

export interface StepRetry {
  step: string;
  retried: StepUnit[];
}

export interface DeadLetterSummary {
  messageId: string;
  type: string;
  routingKey: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  status: DeadLetterStatus;
  deadLetteredBy: 'worker' | 'broker';
  requestId: string | null;
  timesDeadLettered: number;
  replayCount: number;
  firstFailedAt: string;
  lastFailedAt: string;
  deadLetteredAt: string;
  replayedAt: string | null;
  discardedAt: string | null;
  storageNotes: string[];
}

export interface Occurrence {
  occurrenceId: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  deadLetteredBy: 'worker' | 'broker';
  deadLetteredAt: string;
  resolution: 'replayed' | 'discarded' | null;
  resolvedAt: string | null;
}

export interface DeadLetter extends DeadLetterSummary {
  exchange: string;
  contentType: string | null;
  body: string;
  bodyBase64: string;
  payload: unknown;
  headers: Record<string, unknown>;
  errorStack: string | null;
  occurrences: Occurrence[];
  replayable: boolean;
  replayBlocker: string | null;
}

export interface BulkReplay {
  dryRun: boolean;
  count: number;
  messageIds: string[];
}

export interface DeadLetterGroup {
  errorCode: string;
  step: string | null;
  queue: string | null;
  routingKey: string;
  count: number;
  replayable: number;
  firstDeadLetteredAt: string;
  lastDeadLetteredAt: string;
  lastMessageId: string;
  lastErrorMessage: string;
}

export interface DeadLetterGroups {
  status: DeadLetterStatus;
  groups: DeadLetterGroup[];
  truncated: boolean;
}

export interface FunnelCounts {
  registered: number;
  verified: number;
  onboarded: number;
  failed: number;
}

export interface Funnel {
  from: string;
  to: string;
  hours: (FunnelCounts & { start: string; end: string })[];
  totals: FunnelCounts;
  cohort: FunnelCounts & { pending: number };
}
