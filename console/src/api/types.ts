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

/** The event types an endpoint can subscribe to (the API's `WEBHOOK_EVENT_TYPES`). */
export const WEBHOOK_EVENT_TYPES = [
  'user.registered',
  'user.verified',
  'user.updated',
  'user.erased',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';

/** An endpoint as the API shows it: never its secret. Only live endpoints are listed (a deleted one is gone). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEventType[];
  createdAt: string;
  updatedAt: string;
  secretRotatedAt: string | null;
  /** Until then, deliveries carry a second signature with the previous secret. */
  previousSecretExpiresAt: string | null;
}

/** The answers to a registration and a rotation: the only ones that carry the secret. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
}

export interface WebhookAttempt {
  attempt: number;
  outcome: 'delivered' | 'retrying' | 'failed';
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  startedAt: string;
}

/** One event for one endpoint; its id is the `webhook-id` of every attempt, redeliveries included. */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventType: WebhookEventType;
  eventId: string;
  userId: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  skippedReason: string | null;
  occurredAt: string;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  /** Newest first, at most 50. */
  attempts: WebhookAttempt[];
}
