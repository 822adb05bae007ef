import { USER_EVENTS } from '@app/users';
import { isUUID } from 'class-validator';
import type { StepUnit } from '../timeline/step-unit';
import { ONBOARDING_STEP_NAMES, OnboardingStepName } from './step-names';

/** Which unit of its step a message runs, read from its payload; undefined when the payload names no user. */
type UnitOf = (messageId: string, payload: unknown) => StepUnit | undefined;

const userIdOf = (payload: unknown): string | undefined => {
  const userId = (payload as { userId?: unknown } | null)?.userId;
  return typeof userId === 'string' && isUUID(userId) ? userId : undefined;
};

/**
 * One step of onboarding, as the rest of the system needs to know it. Each step runs as its own message on its own
 * queue (`<prefix>.step.<name>`): started by the events listed here, and by commands on the steps exchange with its
 * name as routing key (scheduled by an earlier step, a resend, a replay). Its handler, with its `@RetryPolicy`,
 * is in the worker; its inbox key is `(message id, name)`.
 */
export interface OnboardingStepDefinition {
  name: OnboardingStepName;
  /** Domain events (routing keys on the events exchange) that start the step. */
  startedBy: readonly string[];
  /**
   * Whether the step's first unit (the one a registration starts) must be done for the user's onboarding to be
   * `completed`. Later units (a resent mail, a webhook delivery) never count.
   */
  required: boolean;
  summary: string;
  /** Which unit a message of this step runs (the steps use it, and so does the reaction to a dead letter). */
  unitOf: UnitOf;
}

/** The registry: every onboarding step, in the order a registration goes through them. */
export const ONBOARDING_STEPS: readonly OnboardingStepDefinition[] = [
  {
    name: ONBOARDING_STEP_NAMES.provisionAccount,
    startedBy: [USER_EVENTS.registered],
    required: true,
    summary: "records the user's onboarding and schedules the verification email",
    unitOf: (messageId, payload) => {
      const userId = userIdOf(payload);
      return userId
        ? { userId, step: ONBOARDING_STEP_NAMES.provisionAccount, unit: '', required: true, messageId }
        : undefined;
    },
  },
  {
    name: ONBOARDING_STEP_NAMES.sendVerificationEmail,
    startedBy: [],
    required: true,
    summary: 'mails a verification link (done when the SMTP server has accepted the mail)',
    unitOf: (messageId, payload) => {
      const userId = userIdOf(payload);
      if (!userId) return undefined;
      // The registration's mail is the step's unit; each resend is one of its own, which does not count.
      const registration = (payload as { reason?: unknown }).reason !== 'resend';
      return {
        userId,
        step: ONBOARDING_STEP_NAMES.sendVerificationEmail,
        unit: registration ? '' : messageId,
        required: registration,
        messageId,
        detail: { reason: registration ? 'registration' : 'resend' },
      };
    },
  },
  {
    name: ONBOARDING_STEP_NAMES.deliverWebhook,
    startedBy: [],
    required: false,
    summary:
      'posts one signed webhook (one event to one endpoint; done when the endpoint has answered 2xx); scheduled ' +
      'by the webhook fan-out, never counts towards onboarding',
    unitOf: (messageId, payload) => {
      const userId = userIdOf(payload);
      const { endpointId, eventMessageId, eventType, deliveryId } = (payload ?? {}) as Record<
        string,
        unknown
      >;
      if (!userId || typeof endpointId !== 'string' || typeof eventMessageId !== 'string') return undefined;
      return {
        userId,
        step: ONBOARDING_STEP_NAMES.deliverWebhook,
        // One unit per endpoint and event: a redelivery (a new message) is the same unit again.
        unit: `${endpointId}:${eventMessageId}`,
        required: false,
        messageId,
        detail: { endpointId, eventType, deliveryId },
      };
    },
  },
];

/** The step a name belongs to, if any. */
export function onboardingStep(name: string): OnboardingStepDefinition | undefined {
  return ONBOARDING_STEPS.find((step) => step.name === name);
}

/** The step whose queue (`<prefix>.step.<name>`) this is, if any. */
export function onboardingStepOfQueue(queue: string): OnboardingStepDefinition | undefined {
  const name = /\.step\.([a-z0-9-]+)$/.exec(queue)?.[1];
  return name === undefined ? undefined : onboardingStep(name);
}

/** The unit a message of `name` runs: for the steps themselves (their registry entry must exist). */
export function stepUnitOf(name: OnboardingStepName, messageId: string, payload: unknown): StepUnit {
  const unit = onboardingStep(name)?.unitOf(messageId, payload);
  if (!unit) throw new Error(`no unit of ${name} for message ${messageId}`);
  return unit;
}

/** The steps whose first unit counts towards the user's onboarding status. */
export const REQUIRED_STEP_NAMES: readonly OnboardingStepName[] = ONBOARDING_STEPS.filter(
  (step) => step.required,
).map((step) => step.name);
