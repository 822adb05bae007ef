import type { RetryPolicyOptions } from '@app/messaging';
import { ONBOARDING_STEP_NAMES, OnboardingStepName } from './step-names';

/**
 * What each step's retry policy changes from the configured defaults (`RETRY_*`), applied by `@RetryPolicy` on
 * the step's handler. Kept here, by step, so that everything that must know the delay tiers (the topology, test
 * clean-up) derives them from one place; waits not given here scale with the configuration.
 */
export const STEP_RETRY_POLICIES: Record<OnboardingStepName, Partial<RetryPolicyOptions>> = {
  [ONBOARDING_STEP_NAMES.provisionAccount]: {},
  // An SMTP server that answers 4xx (greylisting, rate limits) usually wants minutes, not seconds.
  [ONBOARDING_STEP_NAMES.sendVerificationEmail]: { maxAttempts: 10, factor: 3 },
  // A receiver's outage can last a while; Svix retries for about a day.
  [ONBOARDING_STEP_NAMES.deliverWebhook]: { maxAttempts: 12, factor: 3 },
};

/** Every step's full policy over `defaults`, plus the defaults themselves. */
export function onboardingRetryPolicies(defaults: RetryPolicyOptions): RetryPolicyOptions[] {
  return [defaults, ...Object.values(STEP_RETRY_POLICIES).map((policy) => ({ ...defaults, ...policy }))];
}
