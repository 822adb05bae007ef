import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { OnboardingStep } from './onboarding-step.entity';

/** The per-user, per-step onboarding record. */
@Injectable()
export class OnboardingTimelineRepository {
  constructor(@InjectRepository(OnboardingStep) private readonly steps: Repository<OnboardingStep>) {}

  /** Creates or completes the step's row inside the caller's transaction. */
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

  findByUser(userId: string): Promise<OnboardingStep[]> {
    return this.steps.find({ where: { userId }, order: { step: 'ASC' } });
  }
}
