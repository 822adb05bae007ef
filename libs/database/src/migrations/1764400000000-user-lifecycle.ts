import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The user lifecycle: verification (when and how), erasure (personal data removed in place, so names and the
 * password hash become nullable), a row `version` for ETags, and the time of the last verification mail request
 * (for the resend interval; registration counts as the first request, hence the default).
 */
export class UserLifecycle1764400000000 implements MigrationInterface {
  name = 'UserLifecycle1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE users
        ALTER COLUMN password_hash DROP NOT NULL,
        ALTER COLUMN first_name DROP NOT NULL,
        ALTER COLUMN last_name DROP NOT NULL,
        ADD COLUMN email_verified_at timestamptz(3),
        ADD COLUMN verification_method text CHECK (verification_method IN ('token', 'admin')),
        ADD COLUMN erased_at timestamptz(3),
        ADD COLUMN version integer NOT NULL DEFAULT 1,
        ADD COLUMN verification_requested_at timestamptz(3)`);
    // Users registered before this migration: their registration was their first mail request.
    await queryRunner.query(`UPDATE users SET verification_requested_at = created_at`);
    await queryRunner.query(
      `ALTER TABLE users ALTER COLUMN verification_requested_at SET DEFAULT clock_timestamp()`,
    );
    // Only an erased user lacks personal data, and an erased user always says when.
    await queryRunner.query(`
      ALTER TABLE users
        ADD CONSTRAINT users_erased_at_check CHECK ((status = 'erased') = (erased_at IS NOT NULL)),
        ADD CONSTRAINT users_personal_data_check CHECK (
          status = 'erased' OR (first_name IS NOT NULL AND last_name IS NOT NULL AND password_hash IS NOT NULL))`);

    // Every change of a row, whoever writes it (the API, the worker's onboarding status, a script), bumps its
    // version, which is the user's ETag, and its updated_at. An UPDATE that changes nothing changes neither.
    await queryRunner.query(`
      CREATE FUNCTION users_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.version := OLD.version + 1;
        NEW.updated_at := clock_timestamp();
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER users_bump_version BEFORE UPDATE ON users
      FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION users_bump_version()`);

    // GET /users?status=… keeps the list order (created_at, id); email lookups use users_email_lower_key, the
    // created range users_created_at_id_idx.
    await queryRunner.query(`CREATE INDEX users_status_created_at_id_idx ON users (status, created_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX users_status_created_at_id_idx`);
    await queryRunner.query(`DROP TRIGGER users_bump_version ON users`);
    await queryRunner.query(`DROP FUNCTION users_bump_version()`);
    await queryRunner.query(`
      ALTER TABLE users
        DROP CONSTRAINT users_personal_data_check,
        DROP CONSTRAINT users_erased_at_check,
        DROP COLUMN verification_requested_at,
        DROP COLUMN version,
        DROP COLUMN erased_at,
        DROP COLUMN verification_method,
        DROP COLUMN email_verified_at`);
    // Erased users have no names or hash any more: empty strings (no password verifies against '') let the
    // NOT NULL constraints come back without deleting anyone.
    await queryRunner.query(`
      UPDATE users SET first_name = coalesce(first_name, ''), last_name = coalesce(last_name, ''),
        password_hash = coalesce(password_hash, '')
      WHERE status = 'erased'`);
    await queryRunner.query(`
      ALTER TABLE users
        ALTER COLUMN password_hash SET NOT NULL,
        ALTER COLUMN first_name SET NOT NULL,
        ALTER COLUMN last_name SET NOT NULL`);
  }
}
