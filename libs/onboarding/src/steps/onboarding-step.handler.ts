import type { User } from '@app/users';
import type { EntityManager } from 'typeorm';

/**
 * One step of onboarding. `run` executes inside the transaction that also records the step and the inbox row,
 * so its database effects happen exactly once; effects outside the database must be idempotent on their own.
 */
export interface OnboardingStepHandler {
  readonly name: string;
  run(manager: EntityManager, user: User): Promise<void>;
}
