import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dead-letter ledger (one row per message id: a message dead-lettered again updates its row), and the
 * outbox's `message_id`: a replay is a new outbox row that publishes under the original message id, so that the
 * worker's inbox recognises a message it has applied before.
 */
export class DeadLetterLedger1764200000000 implements MigrationInterface {
  name = 'DeadLetterLedger1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // NULL means "the row's own id" (every event the API writes); the relay publishes COALESCE(message_id, id).
    await queryRunner.query(`ALTER TABLE outbox_messages ADD COLUMN message_id text`);

    await queryRunner.query(`
      CREATE TABLE dead_letters (
        message_id text PRIMARY KEY,
        type text NOT NULL,
        exchange text NOT NULL,
        routing_key text NOT NULL,
        content_type text,
        body bytea NOT NULL,
        payload jsonb,
        headers jsonb NOT NULL DEFAULT '{}',
        error_code text NOT NULL,
        error_message text NOT NULL,
        error_stack text,
        attempts integer NOT NULL,
        first_failed_at timestamptz(3) NOT NULL,
        last_failed_at timestamptz(3) NOT NULL,
        dead_lettered_at timestamptz(3) NOT NULL DEFAULT now(),
        dead_lettered_by text NOT NULL CHECK (dead_lettered_by IN ('worker', 'broker')),
        request_id text,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'replayed', 'discarded')),
        times_dead_lettered integer NOT NULL DEFAULT 1,
        replay_count integer NOT NULL DEFAULT 0,
        replayed_at timestamptz(3),
        discarded_at timestamptz(3)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN dead_letters.payload IS 'The body parsed, when it is JSON'`);
    // The list is ordered by (dead_lettered_at, message_id); each filter gets an index leading with it.
    await queryRunner.query(
      `CREATE INDEX dead_letters_dead_lettered_at_idx ON dead_letters (dead_lettered_at, message_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX dead_letters_status_idx ON dead_letters (status, dead_lettered_at, message_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX dead_letters_routing_key_idx ON dead_letters (routing_key, dead_lettered_at, message_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX dead_letters_error_code_idx ON dead_letters (error_code, dead_lettered_at, message_id)`,
    );
    // Containment lookups on the payload, such as a user's dead letters (payload @> '{"userId": …}').
    await queryRunner.query(
      `CREATE INDEX dead_letters_payload_idx ON dead_letters USING gin (payload jsonb_path_ops)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dead_letters`);
    await queryRunner.query(`ALTER TABLE outbox_messages DROP COLUMN message_id`);
  }
}
