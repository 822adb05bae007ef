import { Column, Entity, PrimaryColumn } from 'typeorm';

export type IdempotencyKeyStatus = 'in_flight' | 'completed';

/** One idempotency key of one route (see migration IdempotencyKeys1764500000000). */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKey {
  @PrimaryColumn('text')
  scope!: string;

  @PrimaryColumn('text')
  key!: string;

  @Column('text')
  fingerprint!: string;

  @Column('text')
  status!: IdempotencyKeyStatus;

  @Column('uuid', { name: 'claim_token' })
  claimToken!: string;

  @Column('timestamptz', { name: 'locked_until' })
  lockedUntil!: Date;

  @Column('integer', { name: 'response_status', nullable: true })
  responseStatus!: number | null;

  @Column('jsonb', { name: 'response_headers', nullable: true })
  responseHeaders!: Record<string, string> | null;

  @Column('jsonb', { name: 'response_body', nullable: true })
  responseBody!: unknown;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;
}
