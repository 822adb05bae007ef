import { DEAD_LETTER_STATUSES, type DeadLetter, type DeadLetterStatus } from '@app/dead-letters';
import {
  type OnboardingStep,
  type OnboardingTimeline,
  STEP_STATUSES,
  type StepStatus,
} from '@app/onboarding';
import { ONBOARDING_STATUSES, type OnboardingStatus } from '@app/users';
import { ApiProperty } from '@nestjs/swagger';

/** One unit of one step: most steps have one per user; a resent mail or a webhook delivery is a unit of its own. */
export class OnboardingStepResponse {
  @ApiProperty({ example: 'provision-account' })
  step!: string;

  @ApiProperty({
    example: '',
    description:
      "'' for a step's single unit; the message id of a resent mail; endpoint and event of a webhook",
  })
  unit!: string;

  @ApiProperty({
    enum: STEP_STATUSES,
    example: 'completed',
    description:
      'pending while scheduled or retrying; failed once its message was dead-lettered (retry it with POST ' +
      '…/onboarding/steps/{step}/retry); skipped when nothing was left to do (erased, or verified already)',
  })
  status!: StepStatus;

  @ApiProperty({ example: true, description: "Whether it counts towards the user's onboardingStatus" })
  required!: boolean;

  @ApiProperty({ example: 1, description: 'Every attempt, failed or not' })
  attempts!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Code and message of the last failure; null once completed',
  })
  lastError!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why it was skipped' })
  skippedReason!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d',
    description: 'The message that runs it (its dead letter, when it failed: GET /dead-letters/{messageId})',
  })
  messageId!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: {},
    description: 'What the unit is about: the reason of a mail; the endpoint and event of a webhook delivery',
  })
  detail!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.123Z', description: 'Scheduled at' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-24T10:15:30.200Z' })
  startedAt!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.456Z' })
  updatedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-24T10:15:30.456Z' })
  completedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  deadLetteredAt!: string | null;

  static from(step: OnboardingStep): OnboardingStepResponse {
    const iso = (date: Date | null) => (date ? date.toISOString() : null);
    return {
      step: step.step,
      unit: step.unit,
      status: step.status,
      required: step.required,
      attempts: step.attempts,
      lastError: step.lastError,
      skippedReason: step.skippedReason,
      messageId: step.messageId,
      detail: step.detail,
      createdAt: step.createdAt.toISOString(),
      startedAt: iso(step.startedAt),
      updatedAt: step.updatedAt.toISOString(),
      completedAt: iso(step.completedAt),
      deadLetteredAt: iso(step.deadLetteredAt),
    };
  }
}

export class OnboardingDeadLetterResponse {
  @ApiProperty({
    example: '5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d',
    description: 'See GET /dead-letters/{messageId}',
  })
  messageId!: string;

  @ApiProperty({ example: 'HANDLER_FAILED' })
  errorCode!: string;

  @ApiProperty({ example: 'connection terminated unexpectedly' })
  errorMessage!: string;

  @ApiProperty({ enum: DEAD_LETTER_STATUSES, example: 'pending' })
  status!: DeadLetterStatus;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:31.789Z' })
  deadLetteredAt!: string;

  static from(deadLetter: DeadLetter): OnboardingDeadLetterResponse {
    return {
      messageId: deadLetter.messageId,
      errorCode: deadLetter.errorCode,
      errorMessage: deadLetter.errorMessage,
      status: deadLetter.status,
      deadLetteredAt: deadLetter.deadLetteredAt.toISOString(),
    };
  }
}

/** A user's onboarding: the outcome, each step, and the user's messages that were dead-lettered. */
export class OnboardingTimelineResponse {
  @ApiProperty({ format: 'uuid', example: '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f' })
  userId!: string;

  @ApiProperty({
    enum: ONBOARDING_STATUSES,
    example: 'completed',
    description: 'completed once every required step is completed (or skipped); failed while one has failed',
  })
  onboardingStatus!: OnboardingStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'The required step that failed the onboarding (retry it with …/steps/{step}/retry)',
  })
  failedStep!: string | null;

  @ApiProperty({ type: [OnboardingStepResponse] })
  steps!: OnboardingStepResponse[];

  @ApiProperty({
    type: [OnboardingDeadLetterResponse],
    description: 'Dead letters whose payload names this user, in the order they were dead-lettered',
  })
  deadLetters!: OnboardingDeadLetterResponse[];

  static from(timeline: OnboardingTimeline): OnboardingTimelineResponse {
    return {
      userId: timeline.userId,
      onboardingStatus: timeline.onboardingStatus,
      failedStep: timeline.failedStep,
      steps: timeline.steps.map((step) => OnboardingStepResponse.from(step)),
      deadLetters: timeline.deadLetters.map((deadLetter) => OnboardingDeadLetterResponse.from(deadLetter)),
    };
  }
}

/** The units a retry set going again. */
export class StepRetryResponse {
  @ApiProperty({ example: 'send-verification-email' })
  step!: string;

  @ApiProperty({ type: [OnboardingStepResponse], description: 'The units retried, pending again' })
  retried!: OnboardingStepResponse[];
}
