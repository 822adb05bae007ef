import { DomainError } from '@app/errors';

export class UnknownStepError extends DomainError {
  readonly code = 'STEP_NOT_FOUND';
  readonly kind = 'permanent';

  constructor(readonly step: string) {
    super(`there is no onboarding step "${step}"`);
  }
}

/** Only a failed step (its message dead-lettered) can be retried; a pending one is on its way already. */
export class StepNotFailedError extends DomainError {
  readonly code = 'STEP_NOT_FAILED';
  readonly kind = 'permanent';

  constructor(
    readonly userId: string,
    readonly step: string,
  ) {
    super(`user ${userId} has no failed ${step} to retry`);
  }
}
