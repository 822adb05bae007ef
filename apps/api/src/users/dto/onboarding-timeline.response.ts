import { DEAD_LETTER_STATUSES, type DeadLetter, type DeadLetterStatus } from '@app/dead-letters';
import {
  type OnboardingStep,
  type OnboardingTimeline,
  STEP_STATUSES,
  type StepStatus,
} from '@app/onboarding';
import { ONBOARDING_STATUSES, type OnboardingStatus } from '@app/users';
import { ApiProperty } from '@nestjs/swagger';

export class OnboardingStepResponse {
  @ApiProperty({ example: 'provision-account' })
  step!: string;

  @ApiProperty({
    enum: STEP_STATUSES,
    example: 'completed',
    description: 'pending while attempts (and retries) go on; failed once its message was dead-lettered',
  })
  status!: StepStatus;

  @ApiProperty({ example: 1, description: 'Every attempt, failed or not' })
  attempts!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Code and message of the last failure; null once completed',
  })
  lastError!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.456Z' })
  updatedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-24T10:15:30.456Z' })
  completedAt!: string | null;

  static from(step: OnboardingStep): OnboardingStepResponse {
    return {
      step: step.step,
      status: step.status,
      attempts: step.attempts,
      lastError: step.lastError,
      updatedAt: step.updatedAt.toISOString(),
      completedAt: step.completedAt ? step.completedAt.toISOString() : null,
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

  @ApiProperty({ enum: ONBOARDING_STATUSES, example: 'completed' })
  onboardingStatus!: OnboardingStatus;

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
      steps: timeline.steps.map((step) => OnboardingStepResponse.from(step)),
      deadLetters: timeline.deadLetters.map((deadLetter) => OnboardingDeadLetterResponse.from(deadLetter)),
    };
  }
}
