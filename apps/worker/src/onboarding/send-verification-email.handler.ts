import { MessageValidationPipe, RetryPolicy } from '@app/messaging';
import { ONBOARDING_STEP_NAMES, SendVerificationEmailStep, STEP_RETRY_POLICIES } from '@app/onboarding';
import { SendVerificationEmailCommand } from '@app/verification';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';
import { stepMessageOf } from './step-message.context';

/** A `send-verification-email` command (after provisioning, a resend, or a replay) → the mail step. */
@Controller()
export class SendVerificationEmailHandler {
  constructor(private readonly step: SendVerificationEmailStep) {}

  @EventPattern(ONBOARDING_STEP_NAMES.sendVerificationEmail)
  @RetryPolicy(STEP_RETRY_POLICIES[ONBOARDING_STEP_NAMES.sendVerificationEmail])
  handle(
    @Payload(MessageValidationPipe) command: SendVerificationEmailCommand,
    @Ctx() context: RmqContext,
  ): Promise<string> {
    return this.step.run(stepMessageOf(context), command);
  }
}
