import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox carries the worker's own commands (one onboarding step to run) besides domain events, so each row
 * names its exchange, by logical name (`events`, `steps`): the topology prefix is configuration, not data.
 */
export class OutboxExchange1764300000000 implements MigrationInterface {
  name = 'OutboxExchange1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE outbox_messages
       ADD COLUMN exchange text NOT NULL DEFAULT 'events' CHECK (exchange IN ('events', 'steps'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE outbox_messages DROP COLUMN exchange`);
  }
}
