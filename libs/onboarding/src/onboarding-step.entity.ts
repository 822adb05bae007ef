import { Column, Entity, PrimaryColumn } from 'typeorm';

export const STEP_STATUSES = ['pending', 'completed', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** One onboarding step of one user: the user's onboarding timeline is the set of these rows. */
@Entity({ name: 'onboarding_steps' })
export class OnboardingStep {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @PrimaryColumn('text')
  step!: string;

  @Column('text')
  status!: StepStatus;

  @Column('integer')
  attempts!: number;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', name: 'updated_at', precision: 3 })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'completed_at', precision: 3, nullable: true })
  completedAt!: Date | null;
}
