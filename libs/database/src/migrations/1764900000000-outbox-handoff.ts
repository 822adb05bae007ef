import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox trigger wakes the relays only for rows that are due. A row handed off at commit is written claimed
 * (its `available_at` a lease ahead): its writer publishes it itself, and a NOTIFY would only send every relay
 * listening to claim nothing, one wasted statement per write and relay. The statement's new rows are in a
 * transition table, so the check costs no query of the table.
 */
export class OutboxHandoff1764900000000 implements MigrationInterface {
  name = 'OutboxHandoff1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER outbox_messages_notify ON outbox_messages`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION outbox_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM inserted_outbox_messages WHERE available_at <= clock_timestamp()) THEN
          PERFORM pg_notify('outbox_messages', '');
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER outbox_messages_notify AFTER INSERT ON outbox_messages
      REFERENCING NEW TABLE AS inserted_outbox_messages
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_messages_notify()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER outbox_messages_notify ON outbox_messages`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION outbox_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_messages', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER outbox_messages_notify AFTER INSERT ON outbox_messages
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_messages_notify()`);
  }
}
