import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys of `POST /users` (draft-ietf-httpapi-idempotency-key-header): one row per (route, key),
 * claimed `in_flight` before the work and `completed` with the answer in the transaction that does the work.
 * `fingerprint` is a keyed HMAC of the request (never the body itself: it holds a password). Rows past
 * `expires_at` are purged.
 */
export class IdempotencyKeys1764500000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        status text NOT NULL CHECK (status IN ('in_flight', 'completed')),
        claim_token uuid NOT NULL,
        locked_until timestamptz(3) NOT NULL,
        response_status integer,
        response_headers jsonb,
        response_body jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        PRIMARY KEY (scope, key)
      )`);
    await queryRunner.query(`CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE idempotency_keys`);
  }
}
