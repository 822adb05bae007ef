import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A message a handler has already applied. Written in the same transaction as the handler's effects. */
@Entity({ name: 'inbox_messages' })
export class InboxMessage {
  @PrimaryColumn('text', { name: 'message_id' })
  messageId!: string;

  @PrimaryColumn('text')
  handler!: string;

  @Column({ type: 'timestamptz', name: 'processed_at', precision: 3, insert: false })
  processedAt!: Date;
}
