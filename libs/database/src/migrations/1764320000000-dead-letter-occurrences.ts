import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each time a message is dead-lettered is an occurrence of its own, identified by the publish that made the dead
 * letter (not by comparing producers' clocks): a redelivery from the dead-letter queue is the same occurrence,
 * a failure after a replay or a discard is a new one, and the operator's decision stays on the occurrence it was
 * taken on. `storage_notes` says what had to be escaped or left out to store a dead letter at all.
 */
export class DeadLetterOccurrences1764320000000 implements MigrationInterface {
  name = 'DeadLetterOccurrences1764320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dead_letters ADD COLUMN storage_notes text[] NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`
      CREATE TABLE dead_letter_occurrences (
        occurrence_id text PRIMARY KEY,
        message_id text NOT NULL REFERENCES dead_letters (message_id) ON DELETE CASCADE,
        error_code text NOT NULL,
        error_message text NOT NULL,
        attempts integer NOT NULL,
        dead_lettered_by text NOT NULL CHECK (dead_lettered_by IN ('worker', 'broker')),
        dead_lettered_at timestamptz(3) NOT NULL DEFAULT now(),
        resolution text CHECK (resolution IN ('replayed', 'discarded')),
        resolved_at timestamptz(3)
      )`);
    await queryRunner.query(
      `CREATE INDEX dead_letter_occurrences_message_idx ON dead_letter_occurrences (message_id, dead_lettered_at)`,
    );
    // What the ledger held so far: one occurrence per row, with the row's decision.
    await queryRunner.query(`
      INSERT INTO dead_letter_occurrences (occurrence_id, message_id, error_code, error_message, attempts,
        dead_lettered_by, dead_lettered_at, resolution, resolved_at)
      SELECT 'legacy:' || message_id, message_id, error_code, error_message, attempts, dead_lettered_by,
        dead_lettered_at, NULLIF(status, 'pending'), COALESCE(discarded_at, replayed_at)
      FROM dead_letters`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dead_letter_occurrences`);
    await queryRunner.query(`ALTER TABLE dead_letters DROP COLUMN storage_notes`);
  }
}
