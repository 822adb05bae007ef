import { Column, Entity, PrimaryColumn } from 'typeorm';

export const STEP_STATUSES = ['pending', 'completed', 'failed', 'skipped'] as const;
/**
 * pending: scheduled, running or waiting for a retry; completed; failed: dead-lettered (no retry will come until an
 * operator retries it); skipped: nothing to do any more (the user was erased, or already verified).
 */
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * One unit of one onboarding step of one user: the user's onboarding timeline is the set of these rows. Most steps
 * have a single unit (`unit` = ''); a resent mail or a webhook delivery is a unit of its own.
 */
@Entity({ name: 'onboarding_steps' })
export class OnboardingStep {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @PrimaryColumn('text')
  step!: string;

  @PrimaryColumn('text')
  unit!: string;

  @Column('text')
  status!: StepStatus;

  /** Whether it counts towards the user's onboarding status. */
  @Column('boolean')
  required!: boolean;

  @Column('integer')
  attempts!: number;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError!: string | null;

  /** The message that runs it (a retry of the unit replays this message). */
  @Column({ type: 'text', name: 'message_id', nullable: true })
  messageId!: string | null;

  /** What the unit is about, when a step has several (a webhook delivery's endpoint and event). */
  @Column('jsonb')
  detail!: Record<string, unknown>;

  @Column({ type: 'text', name: 'skipped_reason', nullable: true })
  skippedReason!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at', precision: 3 })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'started_at', precision: 3, nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'updated_at', precision: 3 })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'completed_at', precision: 3, nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'dead_lettered_at', precision: 3, nullable: true })
  deadLetteredAt!: Date | null;
}
