import { MessageValidationPipe } from '@app/messaging';
import { OnboardingService } from '@app/onboarding';
import { USER_EVENTS, UserRegisteredEvent } from '@app/users';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';

/** `user.registered` → onboarding. Acking, dead-lettering and deduplication happen around and below it. */
@Controller()
export class UserRegisteredHandler {
  constructor(private readonly onboarding: OnboardingService) {}

  @EventPattern(USER_EVENTS.registered)
  async handle(
    @Payload(MessageValidationPipe) event: UserRegisteredEvent,
    @Ctx() context: RmqContext,
  ): Promise<void> {
    const messageId = (context.getMessage() as { properties: { messageId: string } }).properties.messageId;
    await this.onboarding.onUserRegistered(messageId, event);
  }
}
