import { AppConfig } from '@app/config';
import { DeliverWebhookCommand, WebhookDeliveryService } from '@app/webhooks';
import { Injectable } from '@nestjs/common';
import type { StepOutcome } from './onboarding-step.metrics';
import { OnboardingStepRunner, StepSkip } from './onboarding-step.runner';
import { stepUnitOf } from './onboarding-steps';
import type { StepMessage } from './step-message';
import { ONBOARDING_STEP_NAMES } from './step-names';
import { STEP_RETRY_POLICIES } from './step-retry-policies';

/**
 * Posts one signed webhook: one event to one endpoint, scheduled by the webhook fan-out (or a redelivery). In
 * three parts, so that no transaction or lock is held while the endpoint is talked to: prepare (skipped if the
 * endpoint was deleted, or the user erased and the event is not `user.erased`; the secrets decrypted and the
 * payload built), the HTTP call with every attempt recorded in the delivery log, then the unit completed. A
 * crash between the call and the record repeats the delivery once, with the same `webhook-id` (the delivery's
 * id), on which receivers deduplicate. Never counts towards the user's onboarding.
 */
@Injectable()
export class DeliverWebhookStep {
  private readonly maxAttempts: number;

  constructor(
    config: AppConfig,
    private readonly runner: OnboardingStepRunner,
    private readonly deliveries: WebhookDeliveryService,
  ) {
    // The same policy as the handler's @RetryPolicy: past its last attempt a failure is final.
    this.maxAttempts = {
      ...config.retry,
      ...STEP_RETRY_POLICIES[ONBOARDING_STEP_NAMES.deliverWebhook],
    }.maxAttempts;
  }

  /** @param attempt this message's attempt (1 on its first delivery), as the transport counts it */
  run(message: StepMessage, command: DeliverWebhookCommand, attempt: number): Promise<StepOutcome> {
    const unit = stepUnitOf(ONBOARDING_STEP_NAMES.deliverWebhook, message.messageId, command);
    return this.runner.run(unit, async () => {
      const ready = await this.runner.prepare(
        unit,
        async (manager, user) => {
          const prepared = await this.deliveries.prepare(manager, command, user);
          return 'skip' in prepared ? new StepSkip(prepared.skip) : prepared;
        },
        // The delivery decides: a user.erased webhook goes out for an erased user, nothing else does.
        { skipErased: false },
      );
      if ('outcome' in ready) return ready.outcome;
      await this.deliveries.deliver(ready.prepared, message.messageId, attempt >= this.maxAttempts);
      // Delivered: recorded as it is, even if the user was erased meanwhile.
      return this.runner.complete(unit, async () => undefined, { skipErased: false });
    });
  }
}
