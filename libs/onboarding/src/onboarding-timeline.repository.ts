import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { OnboardingStep } from './onboarding-step.entity';

/** The per-user, per-step onboarding record. */
@Injectable()
export class OnboardingTimelineRepository {
  constructor(@InjectRepository(OnboardingStep) private readonly steps: Repository<OnboardingStep>) {}

  /**
   * Creates or completes the step's row inside the caller's transaction. `attempts` counts every attempt:
   * failed ones were counted by {@link recordFailedAttempt}, and this one is added.
   */
  async markCompleted(manager: EntityManager, userId: string, step: string): Promise<void> {
    await manager.query(
      `INSERT INTO onboarding_steps (user_id, step, status, attempts, updated_at, completed_at)
       VALUES ($1, $2, 'completed', 1, now(), now())
       ON CONFLICT (user_id, step) DO UPDATE
         SET status = 'completed', attempts = onboarding_steps.attempts + 1, last_error = NULL,
             updated_at = now(), completed_at = now()`,
      [userId, step],
    );
  }

  /**
   * Counts a failed attempt at the step and keeps its error. A new row is `pending`; an existing row keeps its
   * status: whether a retry follows is the transport's decision, and the dead-letter reaction marks the step
   * failed when none will. Nothing happens for a user that does not exist (the row would have no owner).
   */
  async recordFailedAttempt(
    manager: EntityManager,
    userId: string,
    step: string,
    error: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO onboarding_steps (user_id, step, status, attempts, last_error, updated_at)
       SELECT $1, $2, 'pending', 1, $3, now() WHERE EXISTS (SELECT 1 FROM users WHERE id = $1)
       ON CONFLICT (user_id, step) DO UPDATE
         SET attempts = onboarding_steps.attempts + 1, last_error = EXCLUDED.last_error, updated_at = now()
         WHERE onboarding_steps.status <> 'completed'`,
      [userId, step, error],
    );
  }

  /** Marks every step that is not completed as failed with `error` (creating rows for steps never tried). */
  async markFailed(
    manager: EntityManager,
    userId: string,
    steps: readonly string[],
    error: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO onboarding_steps (user_id, step, status, attempts, last_error, updated_at)
       SELECT $1, step, 'failed', 0, $3, now() FROM unnest($2::text[]) AS step
       ON CONFLICT (user_id, step) DO UPDATE
         SET status = 'failed', last_error = EXCLUDED.last_error, updated_at = now()
         WHERE onboarding_steps.status <> 'completed'`,
      [userId, steps, error],
    );
  }

  findByUser(userId: string): Promise<OnboardingStep[]> {
    return this.steps.find({ where: { userId }, order: { step: 'ASC' } });
  }
}
