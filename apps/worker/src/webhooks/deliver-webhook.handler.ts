import { attemptOf, MessageValidationPipe, RetryPolicy } from '@app/messaging';
import { DeliverWebhookStep, ONBOARDING_STEP_NAMES, STEP_RETRY_POLICIES } from '@app/onboarding';
import { DeliverWebhookCommand } from '@app/webhooks';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { stepMessageOf } from '../onboarding/step-message.context';

/** A `deliver-webhook` command (from the fan-out, a redelivery or a replay) → one signed webhook. */
@Controller()
export class DeliverWebhookHandler {
  constructor(private readonly step: DeliverWebhookStep) {}

  @EventPattern(ONBOARDING_STEP_NAMES.deliverWebhook)
  @RetryPolicy(STEP_RETRY_POLICIES[ONBOARDING_STEP_NAMES.deliverWebhook])
  handle(
    @Payload(MessageValidationPipe) command: DeliverWebhookCommand,
    @Ctx() context: RmqContext,
  ): Promise<string> {
    return this.step.run(stepMessageOf(context), command, attemptOf(context.getMessage() as ConsumeMessage));
  }
}
