/** One unit of a step, as the step's message identifies it. */
export interface StepUnit {
  userId: string;
  step: string;
  /** '' for a step's single unit; a key of its own for a resent mail or one webhook delivery. */
  unit: string;
  /** Whether it counts towards the user's onboarding status. */
  required: boolean;
  /** The message that runs it. */
  messageId: string;
  detail?: Record<string, unknown>;
}

/** A step's `last_error`: the stable code first, then the specifics, bounded. */
export function describeFailure(code: string, message: string): string {
  return `${code}: ${message}`.slice(0, 1000);
}
