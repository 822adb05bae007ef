import { SendVerificationEmailStep, StepOutcome } from '@app/onboarding';
import { SendVerificationEmailCommand } from '@app/verification';
import { Injectable } from '@nestjs/common';
import { StepBatchItem, StepMessageBatch } from './step-message.batch';

/**
 * Mail commands that arrive together: their tokens issued in one transaction, the mails sent side by side, the
 * sent ones recorded in one transaction; a mail that could not be sent goes on by itself, with its retries.
 */
@Injectable()
export class SendVerificationEmailBatch extends StepMessageBatch<SendVerificationEmailCommand> {
  constructor(private readonly step: SendVerificationEmailStep) {
    super(SendVerificationEmailCommand);
  }

  protected run(
    items: readonly StepBatchItem<SendVerificationEmailCommand>[],
  ): Promise<(StepOutcome | undefined)[]> {
    return this.step.runMany(items.map(({ message, payload }) => ({ message, command: payload })));
  }
}
