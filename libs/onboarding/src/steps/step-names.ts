/** The name of every onboarding step: the inbox key, the timeline's `step`, and the step's queue name. */
export const ONBOARDING_STEP_NAMES = {
  provisionAccount: 'provision-account',
  sendVerificationEmail: 'send-verification-email',
  deliverWebhook: 'deliver-webhook',
} as const;

export type OnboardingStepName = (typeof ONBOARDING_STEP_NAMES)[keyof typeof ONBOARDING_STEP_NAMES];
