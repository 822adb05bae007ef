import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the retention purges, so that finding the oldest published outbox rows and the oldest inbox rows
 * costs the same at any table size; the relay's claim keeps using the partial index on pending rows.
 */
export class RetentionIndexes1764310000000 implements MigrationInterface {
  name = 'RetentionIndexes1764310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX outbox_messages_published_at_idx ON outbox_messages (published_at)
       WHERE published_at IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX inbox_messages_processed_at_idx ON inbox_messages (processed_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX inbox_messages_processed_at_idx`);
    await queryRunner.query(`DROP INDEX outbox_messages_published_at_idx`);
  }
}
