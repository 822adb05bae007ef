import { ProvisionAccountStep, StepOutcome } from '@app/onboarding';
import { UserRegisteredEvent } from '@app/users';
import { Injectable } from '@nestjs/common';
import { StepBatchItem, StepMessageBatch } from './step-message.batch';

/** `user.registered` messages that arrive together, provisioned in one transaction. */
@Injectable()
export class ProvisionAccountBatch extends StepMessageBatch<UserRegisteredEvent> {
  constructor(private readonly step: ProvisionAccountStep) {
    super(UserRegisteredEvent);
  }

  protected run(items: readonly StepBatchItem<UserRegisteredEvent>[]): Promise<StepOutcome[]> {
    return this.step.runMany(items.map(({ message, payload }) => ({ message, event: payload })));
  }
}
