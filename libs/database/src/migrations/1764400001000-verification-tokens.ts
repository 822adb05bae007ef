import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email verification tokens. Only the SHA-256 of a token is kept for lookup; while its mail is pending, the
 * token itself is kept encrypted (SecretBox) so that a repeated mail step sends the same link, and wiped once
 * the mail is sent, the token used or superseded. One token per mail step message (`step_message_id`).
 */
export class VerificationTokens1764400001000 implements MigrationInterface {
  name = 'VerificationTokens1764400001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE verification_tokens (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL CHECK (octet_length(token_hash) = 32),
        step_message_id text NOT NULL,
        token_ciphertext text,
        created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        expires_at timestamptz(3) NOT NULL,
        sent_at timestamptz(3),
        used_at timestamptz(3),
        superseded_at timestamptz(3),
        CONSTRAINT verification_tokens_token_hash_key UNIQUE (token_hash),
        CONSTRAINT verification_tokens_step_message_id_key UNIQUE (step_message_id),
        -- The encrypted copy exists only while the mail may still have to be sent.
        CONSTRAINT verification_tokens_ciphertext_check CHECK (
          token_ciphertext IS NULL OR (sent_at IS NULL AND used_at IS NULL AND superseded_at IS NULL))
      )`);
    // Superseding: a user's tokens that are still usable.
    await queryRunner.query(
      `CREATE INDEX verification_tokens_usable_idx ON verification_tokens (user_id)
       WHERE used_at IS NULL AND superseded_at IS NULL`,
    );
    // Erasure deletes a user's tokens in the statement that erases the user, whoever erases (the users library
    // need not know this table).
    await queryRunner.query(`
      CREATE FUNCTION verification_tokens_delete_on_erasure() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM verification_tokens WHERE user_id = NEW.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER verification_tokens_delete_on_erasure AFTER UPDATE OF status ON users
      FOR EACH ROW WHEN (NEW.status = 'erased' AND OLD.status <> 'erased')
      EXECUTE FUNCTION verification_tokens_delete_on_erasure()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER verification_tokens_delete_on_erasure ON users`);
    await queryRunner.query(`DROP FUNCTION verification_tokens_delete_on_erasure()`);
    await queryRunner.query(`DROP TABLE verification_tokens`);
  }
}
