import { Column, Entity, PrimaryColumn } from 'typeorm';

export const DEAD_LETTER_STATUSES = ['pending', 'replayed', 'discarded'] as const;
/** pending: waiting for an operator; replayed: sent again through the outbox; discarded: given up on purpose. */
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/**
 * A message that ended in the dead-letter queue, with why. One row per message id: when the same message is
 * dead-lettered again (after a replay, say), that is a new occurrence (see {@link DeadLetterOccurrence}); the row
 * takes the new failure and goes back to `pending`, and the earlier occurrence keeps the decision taken on it.
 */
@Entity({ name: 'dead_letters' })
export class DeadLetter {
  @PrimaryColumn('text', { name: 'message_id' })
  messageId!: string;

  @Column('text')
  type!: string;

  @Column('text')
  exchange!: string;

  @Column('text', { name: 'routing_key' })
  routingKey!: string;

  @Column('text', { name: 'content_type', nullable: true })
  contentType!: string | null;

  @Column('bytea')
  body!: Buffer;

  /** The body parsed, when it is JSON; null otherwise (such a message cannot be replayed). */
  @Column('jsonb', { nullable: true })
  payload!: unknown;

  @Column('jsonb')
  headers!: Record<string, unknown>;

  @Column('text', { name: 'error_code' })
  errorCode!: string;

  @Column('text', { name: 'error_message' })
  errorMessage!: string;

  @Column('text', { name: 'error_stack', nullable: true })
  errorStack!: string | null;

  @Column('integer')
  attempts!: number;

  @Column({ type: 'timestamptz', name: 'first_failed_at', precision: 3 })
  firstFailedAt!: Date;

  @Column({ type: 'timestamptz', name: 'last_failed_at', precision: 3 })
  lastFailedAt!: Date;

  @Column({ type: 'timestamptz', name: 'dead_lettered_at', precision: 3 })
  deadLetteredAt!: Date;

  @Column('text', { name: 'dead_lettered_by' })
  deadLetteredBy!: 'worker' | 'broker';

  @Column('text', { name: 'request_id', nullable: true })
  requestId!: string | null;

  @Column('text')
  status!: DeadLetterStatus;

  @Column('integer', { name: 'times_dead_lettered' })
  timesDeadLettered!: number;

  @Column('integer', { name: 'replay_count' })
  replayCount!: number;

  @Column({ type: 'timestamptz', name: 'replayed_at', precision: 3, nullable: true })
  replayedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'discarded_at', precision: 3, nullable: true })
  discardedAt!: Date | null;

  /** The queue it failed in: which consumer (which onboarding step) gave up on it. */
  @Column('text', { nullable: true })
  queue!: string | null;

  /** What had to be escaped or left out to store it (a NUL in a header, a body that is not UTF-8…). */
  @Column('text', { name: 'storage_notes', array: true })
  storageNotes!: string[];
}
