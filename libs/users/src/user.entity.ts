import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const USER_STATUSES = ['pending_verification', 'active', 'erased'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const ONBOARDING_STATUSES = ['pending', 'completed', 'failed'] as const;
export type OnboardingStatus = (typeof ONBOARDING_STATUSES)[number];

/** A registered user. The email is stored trimmed and lower-cased; uniqueness is a database index on it. */
@Entity({ name: 'users' })
export class User {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  email!: string;

  /** argon2id PHC string. Never leaves the users library. */
  @Column('text', { name: 'password_hash', select: false })
  passwordHash!: string;

  @Column('varchar', { name: 'first_name', length: 100 })
  firstName!: string;

  @Column('varchar', { name: 'last_name', length: 100 })
  lastName!: string;

  @Column('text')
  status!: UserStatus;

  @Column('text', { name: 'onboarding_status' })
  onboardingStatus!: OnboardingStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
