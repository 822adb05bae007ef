import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox trigger tells a handed-off row from a due one by its counted attempt, not by its time. The times
 * are `timestamptz(3)`: a row written due at `clock_timestamp()` can round up past the trigger's own clock
 * within the same millisecond, and then its insert woke no relay (it waited for the next poll). A row written
 * for the handoff is the only kind born with an attempt counted (OutboxWriter, the registration's statement).
 */
export class OutboxNotifyUnclaimed1764900001000 implements MigrationInterface {
  name = 'OutboxNotifyUnclaimed1764900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(notifyFunction('publish_attempts = 0'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(notifyFunction('available_at <= clock_timestamp()'));
  }
}

/** The trigger function of the OutboxHandoff migration, NOTIFYing when a new row matches `wakes`. */
const notifyFunction = (wakes: string) => `
  CREATE OR REPLACE FUNCTION outbox_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM inserted_outbox_messages WHERE ${wakes}) THEN
      PERFORM pg_notify('outbox_messages', '');
    END IF;
    RETURN NULL;
  END $$`;
