import { ApiProblem } from '@app/http-problems';
import { ONBOARDING_STEPS } from '@app/onboarding';
import { applyDecorators } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { OnboardingTimelineResponse, StepRetryResponse } from './dto/onboarding-timeline.response';

const steps = ONBOARDING_STEPS.map((step) => `\`${step.name}\` (${step.summary})`).join('; ');

/** OpenAPI documentation of the onboarding routes, kept out of the controller so that it reads as routing. */
export const OnboardingDocs = {
  timeline: () =>
    applyDecorators(
      ApiOperation({
        summary: "Get a user's onboarding timeline",
        description:
          `Every unit of every step with its status, attempts, last error and times, and the user's dead ` +
          `letters. The steps: ${steps}. onboardingStatus is completed once every required unit is completed ` +
          '(or skipped), failed while one has failed.',
      }),
      ApiOkResponse({ type: OnboardingTimelineResponse }),
      ApiProblem(400, 'VALIDATION_FAILED', 'The id is not a UUID'),
      ApiProblem(404, 'USER_NOT_FOUND', 'No user with this id'),
    ),
  retry: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Retry a failed onboarding step',
        description:
          'Replays the dead letter of each failed unit of the step through the outbox, under its message id, and ' +
          'sets the unit pending again; the steps that succeeded are not run again. Repair the cause first.',
      }),
      ApiAcceptedResponse({ type: StepRetryResponse }),
      ApiProblem(400, 'VALIDATION_FAILED', 'The id is not a UUID, or the step is not a step name'),
      ApiProblem(404, 'USER_NOT_FOUND', 'No user with this id'),
      ApiProblem(404, 'STEP_NOT_FOUND', 'No onboarding step of this name'),
      ApiProblem(
        409,
        'STEP_NOT_FAILED',
        'The step has no failed unit for this user (pending, done or skipped)',
      ),
      ApiProblem(409, 'DEAD_LETTER_NOT_PENDING', 'Its dead letter was replayed or discarded already'),
    ),
};
