import { OnboardingStatusUpdater, REQUIRED_STEP_NAMES, StepUnit } from '@app/onboarding';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';

/**
 * Settling step units and deriving the users' onboarding status in one statement, against the real PostgreSQL:
 * the statement cannot see its own INSERT, so these check that the settled units count as they are now.
 */
describe('onboarding status, settled and refreshed in one statement', () => {
  let env: TestEnvironment;
  let dataSource: DataSource;
  const updater = new OnboardingStatusUpdater();

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataSource = await new DataSource({
      type: 'postgres',
      url: env.databaseUrl,
      extra: { max: 2 },
    }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await env?.cleanup();
  });

  async function insertUser(status = 'pending_verification'): Promise<string> {
    const id = randomUUID();
    await env.query(
      `INSERT INTO users (id, email, password_hash, first_name, last_name, status, onboarding_status, erased_at)
       VALUES ($1, $2, 'x', 'Ada', 'Lovelace', $3, 'pending', CASE WHEN $3 = 'erased' THEN now() END)`,
      [id, `${id}@example.com`, status],
    );
    return id;
  }

  const unitOf = (userId: string, step: string, required = true): StepUnit => ({
    userId,
    step,
    unit: '',
    required,
    messageId: randomUUID(),
  });

  const settle = (units: StepUnit[], status: 'completed' | 'skipped' = 'completed') =>
    dataSource.transaction((manager) =>
      updater.settleAndRefresh(
        manager,
        units.map((unit) => ({ unit, status, reason: status === 'skipped' ? 'a reason' : undefined })),
        units.map((unit) => unit.userId),
      ),
    );

  const statusOf = async (userId: string) =>
    (
      await env.query<{ onboarding_status: string }>('SELECT onboarding_status FROM users WHERE id = $1', [
        userId,
      ])
    )[0].onboarding_status;

  it('when the last required step is settled (a new row) while another was settled before, then the user is completed and the change is returned', async () => {
    expect(REQUIRED_STEP_NAMES.length).toBe(2);
    const [first, last] = REQUIRED_STEP_NAMES;
    const userId = await insertUser();

    expect(await settle([unitOf(userId, first)])).toEqual(new Map());
    expect(await statusOf(userId)).toBe('pending');

    expect(await settle([unitOf(userId, last)], 'skipped')).toEqual(new Map([[userId, 'completed']]));
    expect(await statusOf(userId)).toBe('completed');
    const rows = await env.query(
      'SELECT step, status, skipped_reason FROM onboarding_steps WHERE user_id = $1 ORDER BY step',
      [userId],
    );
    expect(rows).toHaveLength(2);
  });

  it('when a unit that had failed is settled (its row updated in place), then its new status counts, not its old one', async () => {
    const [first, last] = REQUIRED_STEP_NAMES;
    const userId = await insertUser();
    await env.query(
      `INSERT INTO onboarding_steps (user_id, step, unit, status, attempts, required) VALUES
         ($1, $2, '', 'completed', 1, true), ($1, $3, '', 'failed', 3, true)`,
      [userId, first, last],
    );
    await env.query(`UPDATE users SET onboarding_status = 'failed' WHERE id = $1`, [userId]);

    expect(await settle([unitOf(userId, last)])).toEqual(new Map([[userId, 'completed']]));
    expect(await statusOf(userId)).toBe('completed');
  });

  it('when several users are settled at once, then each gets its own status, an optional unit does not count, and an erased user keeps its status', async () => {
    const [first, last] = REQUIRED_STEP_NAMES;
    const done = await insertUser();
    const halfway = await insertUser();
    const erased = await insertUser('erased');
    await env.query(
      `INSERT INTO onboarding_steps (user_id, step, unit, status, attempts, required) VALUES ($1, $2, '', 'completed', 1, true)`,
      [done, first],
    );

    const changed = await settle([
      unitOf(done, last),
      unitOf(halfway, 'deliver-webhook', false),
      unitOf(erased, first),
    ]);

    expect(changed).toEqual(new Map([[done, 'completed']]));
    expect([await statusOf(done), await statusOf(halfway), await statusOf(erased)]).toEqual([
      'completed',
      'pending',
      'pending',
    ]);
  });
});
