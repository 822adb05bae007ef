import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A receiver of signed webhooks: a URL and the event types it subscribed to. Its signing secret is stored sealed
 * (SecretBox, AES-256-GCM) and never leaves the service after creation; a rotated secret keeps signing, next to
 * the new one, until `previousSecretExpiresAt`. Deleting an endpoint keeps the row (its delivery log stays
 * readable in the database) but wipes its secrets.
 */
@Entity({ name: 'webhook_endpoints' })
export class WebhookEndpoint {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  url!: string;

  @Column('text', { array: true })
  events!: string[];

  @Column('text', { name: 'secret_ciphertext', nullable: true, select: false })
  secretCiphertext!: string | null;

  @Column('text', { name: 'previous_secret_ciphertext', nullable: true, select: false })
  previousSecretCiphertext!: string | null;

  @Column({ type: 'timestamptz', name: 'previous_secret_expires_at', precision: 3, nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'secret_rotated_at', precision: 3, nullable: true })
  secretRotatedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'created_at', precision: 3 })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at', precision: 3 })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'deleted_at', precision: 3, nullable: true })
  deletedAt!: Date | null;
}
