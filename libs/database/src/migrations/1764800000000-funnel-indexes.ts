import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the funnel (`GET /stats/funnel`): verifications and completed required step units by time, and the
 * failed required units by when they were dead-lettered, so that a range costs what it contains rather than a scan
 * of every user. Partial, so rows that can never match (unverified users, optional units) cost nothing to keep.
 */
export class FunnelIndexes1764800000000 implements MigrationInterface {
  name = 'FunnelIndexes1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX users_email_verified_at_idx ON users (email_verified_at) WHERE email_verified_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX onboarding_steps_required_completed_at_idx ON onboarding_steps (completed_at)
       WHERE required AND completed_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX onboarding_steps_required_failed_idx ON onboarding_steps (user_id, dead_lettered_at)
       WHERE required AND status = 'failed'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX onboarding_steps_required_failed_idx`);
    await queryRunner.query(`DROP INDEX onboarding_steps_required_completed_at_idx`);
    await queryRunner.query(`DROP INDEX users_email_verified_at_idx`);
  }
}
