import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const USER_STATUSES = ['pending_verification', 'active', 'erased'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const ONBOARDING_STATUSES = ['pending', 'completed', 'failed'] as const;
export type OnboardingStatus = (typeof ONBOARDING_STATUSES)[number];

/** How an email was verified: by the user with a mailed token, or by support staff (`POST /users/{id}/verify`). */
export const VERIFICATION_METHODS = ['token', 'admin'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/**
 * A registered user. The email is stored trimmed and lower-cased; uniqueness is a database index on it. An erased
 * user keeps its row (ids in events and timelines stay meaningful) without personal data: the names and the
 * password hash are null, the email a unique placeholder.
 */
@Entity({ name: 'users' })
export class User {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  email!: string;

  /** argon2id PHC string; null once erased. Never leaves the users library. */
  @Column('text', { name: 'password_hash', select: false, nullable: true })
  passwordHash!: string | null;

  /** Null once erased. */
  @Column('varchar', { name: 'first_name', length: 100, nullable: true })
  firstName!: string | null;

  /** Null once erased. */
  @Column('varchar', { name: 'last_name', length: 100, nullable: true })
  lastName!: string | null;

  @Column('text')
  status!: UserStatus;

  @Column('text', { name: 'onboarding_status' })
  onboardingStatus!: OnboardingStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  /** Set by a trigger on every change of the row, whoever makes it. */
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'email_verified_at', precision: 3, nullable: true })
  emailVerifiedAt!: Date | null;

  /** Null while unverified (and for users verified before methods were recorded). */
  @Column('text', { name: 'verification_method', nullable: true })
  verificationMethod!: VerificationMethod | null;

  @Column({ type: 'timestamptz', name: 'erased_at', precision: 3, nullable: true })
  erasedAt!: Date | null;

  /**
   * Bumped by a database trigger on every change of the row (the worker's onboarding status included), never
   * written by the application: the user's ETag.
   */
  @Column({ type: 'integer', insert: false, update: false })
  version!: number;
}
