import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed webhooks: endpoints (their secrets sealed with SecretBox; a deleted endpoint keeps its row, without
 * secrets, so that its delivery log keeps meaning something), one delivery per endpoint and event message (its id
 * is the `webhook-id` every attempt carries), and every attempt of every delivery.
 */
export class Webhooks1764600000000 implements MigrationInterface {
  name = 'Webhooks1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        events text[] NOT NULL CHECK (cardinality(events) > 0),
        secret_ciphertext text,
        previous_secret_ciphertext text,
        previous_secret_expires_at timestamptz(3),
        secret_rotated_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        deleted_at timestamptz(3),
        -- A live endpoint has a secret; a deleted one has none left to leak.
        CONSTRAINT webhook_endpoints_secret_check CHECK (
          (deleted_at IS NULL) = (secret_ciphertext IS NOT NULL)),
        CONSTRAINT webhook_endpoints_previous_secret_check CHECK (
          (previous_secret_ciphertext IS NULL) = (previous_secret_expires_at IS NULL))
      )`);
    // The fan-out: live endpoints subscribed to an event type.
    await queryRunner.query(
      `CREATE INDEX webhook_endpoints_events_idx ON webhook_endpoints USING gin (events) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX webhook_endpoints_created_at_id_idx ON webhook_endpoints (created_at, id) WHERE deleted_at IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        event_type text NOT NULL,
        event_message_id text NOT NULL,
        event_payload jsonb NOT NULL,
        occurred_at timestamptz(3) NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
        step_message_id text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        skipped_reason text,
        created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        delivered_at timestamptz(3),
        -- One delivery per endpoint and event, whatever happens to the fan-out's inbox row.
        CONSTRAINT webhook_deliveries_endpoint_event_key UNIQUE (endpoint_id, event_message_id)
      )`);
    // The delivery log of an endpoint, newest first; deleting an endpoint skips its pending deliveries.
    await queryRunner.query(
      `CREATE INDEX webhook_deliveries_endpoint_created_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`CREATE INDEX webhook_deliveries_user_id_idx ON webhook_deliveries (user_id)`);

    await queryRunner.query(`
      CREATE TABLE webhook_delivery_attempts (
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL CHECK (attempt > 0),
        step_message_id text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('delivered', 'retrying', 'failed')),
        status_code integer,
        error text,
        duration_ms integer NOT NULL,
        started_at timestamptz(3) NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_delivery_attempts`);
    await queryRunner.query(`DROP TABLE webhook_deliveries`);
    await queryRunner.query(`DROP TABLE webhook_endpoints`);
  }
}
