import { ApiProblem } from '@app/http-problems';
import { OnboardingStepRetryService, OnboardingTimelineService } from '@app/onboarding';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminRoute } from '../auth/admin-route.decorator';
import { RequestId } from '../request-id.decorator';
import { UserIdParams } from '../users/dto/user-id.params';
import {
  OnboardingStepResponse,
  OnboardingTimelineResponse,
  StepRetryResponse,
} from './dto/onboarding-timeline.response';
import { StepParams } from './dto/step-params';
import { OnboardingDocs } from './onboarding.docs';

/** A user's onboarding, for operators: the timeline of its steps, and a retry of one that failed. */
@ApiTags('onboarding')
@AdminRoute()
@ApiProblem(503, 'DEPENDENCY_UNAVAILABLE', 'PostgreSQL is not available; retry later')
@Controller('users/:id/onboarding')
export class OnboardingController {
  constructor(
    private readonly timeline: OnboardingTimelineService,
    private readonly retries: OnboardingStepRetryService,
  ) {}

  @Get()
  @OnboardingDocs.timeline()
  async get(@Param() params: UserIdParams): Promise<OnboardingTimelineResponse> {
    return OnboardingTimelineResponse.from(await this.timeline.get(params.id));
  }

  @Post('steps/:step/retry')
  @HttpCode(202)
  @OnboardingDocs.retry()
  async retry(@Param() { id, step }: StepParams, @RequestId() requestId: string): Promise<StepRetryResponse> {
    const retried = await this.retries.retry(id, step, requestId);
    return { step, retried: retried.map((unit) => OnboardingStepResponse.from(unit)) };
  }
}
