import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What an operator decided about one occurrence; null while it is the pending one. */
export type OccurrenceResolution = 'replayed' | 'discarded';

/**
 * One time a message was dead-lettered. A redelivery of the same dead letter from the dead-letter queue is the
 * same occurrence (same id); dead-lettered again after a replay or a discard, it is a new one.
 */
@Entity({ name: 'dead_letter_occurrences' })
export class DeadLetterOccurrence {
  @PrimaryColumn('text', { name: 'occurrence_id' })
  occurrenceId!: string;

  @Column('text', { name: 'message_id' })
  messageId!: string;

  @Column('text', { name: 'error_code' })
  errorCode!: string;

  @Column('text', { name: 'error_message' })
  errorMessage!: string;

  @Column('integer')
  attempts!: number;

  @Column('text', { name: 'dead_lettered_by' })
  deadLetteredBy!: 'worker' | 'broker';

  @Column({ type: 'timestamptz', name: 'dead_lettered_at', precision: 3 })
  deadLetteredAt!: Date;

  @Column('text', { nullable: true })
  resolution!: OccurrenceResolution | null;

  @Column({ type: 'timestamptz', name: 'resolved_at', precision: 3, nullable: true })
  resolvedAt!: Date | null;
}
