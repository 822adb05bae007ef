import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Onboarding as independent steps: a step may run several times for one user (a webhook delivery per endpoint
 * and event, a resent verification mail), so a timeline row is one unit of a step, keyed by `unit` ('' for the
 * single unit of a step such as provision-account). Each unit says whether it counts towards the user's
 * onboarding status (`required`), which message runs it, and when it started, was dead-lettered or skipped.
 * Dead letters remember the queue they came from, so that a failure is charged to the right step.
 */
export class OnboardingStepUnits1764330000000 implements MigrationInterface {
  name = 'OnboardingStepUnits1764330000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE onboarding_steps
        ADD COLUMN unit text NOT NULL DEFAULT '',
        ADD COLUMN required boolean NOT NULL DEFAULT true,
        ADD COLUMN message_id text,
        ADD COLUMN created_at timestamptz(3) NOT NULL DEFAULT now(),
        ADD COLUMN started_at timestamptz(3),
        ADD COLUMN dead_lettered_at timestamptz(3),
        ADD COLUMN skipped_reason text,
        ADD COLUMN detail jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE onboarding_steps DROP CONSTRAINT onboarding_steps_pkey`);
    await queryRunner.query(`ALTER TABLE onboarding_steps ADD PRIMARY KEY (user_id, step, unit)`);
    await queryRunner.query(`ALTER TABLE onboarding_steps DROP CONSTRAINT onboarding_steps_status_check`);
    await queryRunner.query(
      `ALTER TABLE onboarding_steps ADD CONSTRAINT onboarding_steps_status_check
       CHECK (status IN ('pending', 'completed', 'failed', 'skipped'))`,
    );
    // A retry of a failed step finds the unit by the message that runs it.
    await queryRunner.query(`CREATE INDEX onboarding_steps_message_id_idx ON onboarding_steps (message_id)`);
    await queryRunner.query(`ALTER TABLE dead_letters ADD COLUMN queue text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dead_letters DROP COLUMN queue`);
    await queryRunner.query(`DROP INDEX onboarding_steps_message_id_idx`);
    await queryRunner.query(`DELETE FROM onboarding_steps WHERE unit <> '' OR status = 'skipped'`);
    await queryRunner.query(`ALTER TABLE onboarding_steps DROP CONSTRAINT onboarding_steps_status_check`);
    await queryRunner.query(
      `ALTER TABLE onboarding_steps ADD CONSTRAINT onboarding_steps_status_check
       CHECK (status IN ('pending', 'completed', 'failed'))`,
    );
    await queryRunner.query(`ALTER TABLE onboarding_steps DROP CONSTRAINT onboarding_steps_pkey`);
    await queryRunner.query(`ALTER TABLE onboarding_steps ADD PRIMARY KEY (user_id, step)`);
    await queryRunner.query(`
      ALTER TABLE onboarding_steps
        DROP COLUMN detail, DROP COLUMN skipped_reason, DROP COLUMN dead_lettered_at, DROP COLUMN started_at,
        DROP COLUMN created_at, DROP COLUMN message_id, DROP COLUMN required, DROP COLUMN unit`);
  }
}
