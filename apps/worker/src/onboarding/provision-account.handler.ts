import { MessageValidationPipe, RetryPolicy } from '@app/messaging';
import { ONBOARDING_STEP_NAMES, ProvisionAccountStep, STEP_RETRY_POLICIES } from '@app/onboarding';
import { UserRegisteredEvent } from '@app/users';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';
import { stepMessageOf } from './step-message.context';

/**
 * `user.registered` (or its replay) → the provision-account step. Retries with the policy below, acking,
 * dead-lettering and deduplication happen around and below it.
 */
@Controller()
export class ProvisionAccountHandler {
  constructor(private readonly step: ProvisionAccountStep) {}

  @EventPattern(ONBOARDING_STEP_NAMES.provisionAccount)
  @RetryPolicy(STEP_RETRY_POLICIES[ONBOARDING_STEP_NAMES.provisionAccount])
  handle(
    @Payload(MessageValidationPipe) event: UserRegisteredEvent,
    @Ctx() context: RmqContext,
  ): Promise<string> {
    return this.step.run(stepMessageOf(context), event);
  }
}
