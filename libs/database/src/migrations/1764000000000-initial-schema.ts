import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users, the transactional outbox, the worker's inbox and the onboarding steps.
 * Timestamps keep millisecond precision so that a pagination cursor made from a JS Date matches the row exactly.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        password_hash text NOT NULL,
        first_name varchar(100) NOT NULL,
        last_name varchar(100) NOT NULL,
        status text NOT NULL DEFAULT 'pending_verification'
          CHECK (status IN ('pending_verification', 'active', 'erased')),
        onboarding_status text NOT NULL DEFAULT 'pending'
          CHECK (onboarding_status IN ('pending', 'completed', 'failed')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`);
    await queryRunner.query(`CREATE INDEX users_created_at_id_idx ON users (created_at, id)`);

    await queryRunner.query(`
      CREATE TABLE outbox_messages (
        id uuid PRIMARY KEY,
        routing_key text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        available_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz(3),
        publish_attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    await queryRunner.query(
      `CREATE INDEX outbox_messages_pending_idx ON outbox_messages (available_at, created_at) WHERE published_at IS NULL`,
    );
    // Wakes the relay as soon as a transaction that wrote to the outbox commits (NOTIFY is delivered on commit).
    await queryRunner.query(`
      CREATE FUNCTION outbox_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_messages', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER outbox_messages_notify AFTER INSERT ON outbox_messages
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_messages_notify()`);

    await queryRunner.query(`
      CREATE TABLE inbox_messages (
        message_id text NOT NULL,
        handler text NOT NULL,
        processed_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (message_id, handler)
      )`);

    await queryRunner.query(`
      CREATE TABLE onboarding_steps (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        step text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        completed_at timestamptz(3),
        PRIMARY KEY (user_id, step)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE onboarding_steps`);
    await queryRunner.query(`DROP TABLE inbox_messages`);
    await queryRunner.query(`DROP TRIGGER outbox_messages_notify ON outbox_messages`);
    await queryRunner.query(`DROP FUNCTION outbox_messages_notify()`);
    await queryRunner.query(`DROP TABLE outbox_messages`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
