import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { VERIFICATION_METHODS, VerificationMethod } from './user.entity';

/**
 * The funnel's first two numbers, counted when their transaction has committed (an idempotent replay of a
 * registration, or verifying a verified user, counts nothing).
 */
@Injectable()
export class UserLifecycleMetrics {
  private readonly registrations: Counter;
  private readonly verifications: Counter<'method'>;

  constructor(registry: Registry) {
    this.registrations = new Counter({
      name: 'onboarding_registrations_total',
      help: 'Users registered (POST /users answered 201 for a new user)',
      registers: [registry],
    });
    this.verifications = new Counter({
      name: 'onboarding_verifications_total',
      help: 'Users verified, by method: token (the mailed link) or admin',
      labelNames: ['method'],
      registers: [registry],
    });
    // Present from the start, so that rate() and increase() see the first verification of each method.
    for (const method of VERIFICATION_METHODS) this.verifications.inc({ method }, 0);
  }

  registered(): void {
    this.registrations.inc();
  }

  verified(method: VerificationMethod): void {
    this.verifications.inc({ method });
  }
}
