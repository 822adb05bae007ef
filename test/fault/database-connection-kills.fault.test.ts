import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { LogCapture, startApi, startWorker } from '../support/apps';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';
import { expectEveryUserOnboardedOnce, withDiagnostics } from './support/expect-onboarded-once';
import { FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerInProcess, SignupLoad } from './support/signup-load';
import { teardown } from './support/teardown';

/**
 * Both apps in-process. While users register in waves, every PostgreSQL connection to the test database is
 * terminated, six times, from the server side (`pg_terminate_backend`): the API's transactions, the outbox
 * relay's claims and marks, its LISTEN connection, the worker's onboarding transactions all die somewhere.
 * The load and the faults run once, before the tests; each test then judges one promise.
 */
describe('fault: PostgreSQL connections killed mid-load', () => {
  let env: TestEnvironment;
  let admin: Client;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let audit: OnboardingAudit;
  let load: SignupLoad;
  const killed: number[] = [];
  const apiLogs = new LogCapture();
  const workerLogs = new LogCapture();
  const diagnostics = () =>
    `registrations: ${JSON.stringify(load.statusCounts())}\n` +
    `${warningsOf('api', apiLogs)}\n${warningsOf('worker', workerLogs)}`;

  /** Terminates every backend connected to the test database; returns how many there were. */
  const killDatabaseConnections = async (): Promise<number> => {
    const { rows } = await admin.query<{ killed: boolean }>(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [new URL(env.databaseUrl).pathname.slice(1)],
    );
    return rows.filter((row) => row.killed).length;
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    const maintenanceUrl = new URL(env.databaseUrl);
    maintenanceUrl.pathname = '/postgres';
    admin = new Client({ connectionString: maintenanceUrl.toString() });
    await admin.connect();
    const config = env.config(FAULT_SETTINGS);
    audit = await OnboardingAudit.open(env, config);
    worker = await startWorker(config, { logs: workerLogs });
    api = await startApi(config, { logs: apiLogs });

    load = new SignupLoad(registerInProcess(api));
    const chaos = async () => {
      for (const progress of [15, 35, 55, 75, 95, 115]) {
        await load.whenAttempted(progress);
        killed.push(await killDatabaseConnections());
      }
    };
    await Promise.all([load.run({ waves: 7, waveSize: 20, pauseMs: 300 }), chaos()]);
  }, 60_000);

  afterAll(async () => {
    await teardown(
      () => audit?.close(),
      () => api?.close(),
      () => worker?.close(),
      () => admin?.end(),
      () => env?.cleanup(),
    );
  });

  it('when every database connection is terminated six times mid-load, then every stored user is onboarded, once', async () => {
    // Each round hit live connections (the apps' pools, the relay's LISTEN connection).
    expect(killed).toHaveLength(6);
    expect(killed.every((count) => count > 0)).toBe(true);
    // Users whose registration failed at the moment of a kill may exist too (the commit went through, the
    // answer did not): they are counted like the others.
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, { timeoutMs: 60_000, diagnostics });
  }, 120_000);

  it('when a registration loses its database connection, then it is refused with 503 (retry later), never 500', async () => {
    await withDiagnostics(diagnostics, async () => {
      const refusals = Object.keys(load.failures());
      expect(refusals.filter((refusal) => refusal !== '503 DEPENDENCY_UNAVAILABLE')).toEqual([]);
    });
  });
});
