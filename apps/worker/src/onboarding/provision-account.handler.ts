import { MessageValidationPipe, RetryPolicy } from '@app/messaging';
import { ONBOARDING_STEP_NAMES, OnboardingService, STEP_RETRY_POLICIES } from '@app/onboarding';
import { UserRegisteredEvent } from '@app/users';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';

/**
 * `user.registered` → the provision-account step. Retries (with the policy below), acking, dead-lettering and
 * deduplication happen around and below it.
 */
@Controller()
export class ProvisionAccountHandler {
  constructor(private readonly onboarding: OnboardingService) {}

  @EventPattern(ONBOARDING_STEP_NAMES.provisionAccount)
  @RetryPolicy(STEP_RETRY_POLICIES[ONBOARDING_STEP_NAMES.provisionAccount])
  async handle(
    @Payload(MessageValidationPipe) event: UserRegisteredEvent,
    @Ctx() context: RmqContext,
  ): Promise<string> {
    const messageId = (context.getMessage() as { properties: { messageId: string } }).properties.messageId;
    return this.onboarding.onUserRegistered(messageId, event);
  }
}
