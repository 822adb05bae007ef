import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { AppProcess } from './app.process';
import { deleteTopology, dropBenchDatabase, freePort, prepareDatabase } from './bench.environment';
import type { BenchReport } from './bench.report';
import {
  ADMIN_TOKEN,
  benchDatabaseUrl,
  benchTopologyPrefix,
  BenchSettings,
  RESULTS_DIR,
  SCRIPTS,
} from './bench.settings';
import type { HttpLoadResult } from './http-load.runner';
import { OnboardingProbe } from './onboarding.probe';
import type { Teardown } from './teardown';

export const log = (message: string) => process.stdout.write(`${message}\n`);

/**
 * One benchmark run's private world: its database, its broker prefix, the app processes it started, and the
 * count of registrations the API acknowledged. Everything it creates is registered with the teardown first.
 */
export class BenchSession {
  /** 201 answers to POST /users over the whole run (warm-ups included). */
  acknowledged = 0;
  /** Fixed-duration POST runs: each may end with up to `connections` requests that committed unanswered. */
  cutOffRuns = 0;

  private constructor(
    readonly settings: BenchSettings,
    readonly report: BenchReport,
    readonly databaseUrl: string,
    readonly topologyPrefix: string,
    readonly probe: OnboardingProbe,
    private readonly teardown: Teardown,
    private readonly env: Record<string, string>,
    private readonly workDir: string,
  ) {}

  static async open(settings: BenchSettings, teardown: Teardown, report: BenchReport): Promise<BenchSession> {
    const databaseUrl = benchDatabaseUrl(settings);
    const prefix = benchTopologyPrefix(settings);
    mkdirSync(RESULTS_DIR, { recursive: true });
    // The apps read `.env` from their working directory: an empty one keeps a developer's .env out of the numbers.
    const workDir = mkdtempSync(join(tmpdir(), 'onboarding-bench-'));
    teardown.add('work directory', async () => rmSync(workDir, { recursive: true, force: true }));
    teardown.add('topology', async () => {
      const problems = await deleteTopology(settings.rabbitmqUrl, prefix);
      if (problems.length) throw new Error(problems.join('; '));
    });
    teardown.add('database', () => dropBenchDatabase(databaseUrl));

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DATABASE_URL: databaseUrl,
      RABBITMQ_URL: settings.rabbitmqUrl,
      RABBITMQ_TOPOLOGY_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      ADMIN_TOKENS: ADMIN_TOKEN,
      // The load generator is one address registering thousands of users: no per-address limit applies.
      RATE_LIMIT_ENABLED: 'false',
    };
    log(`run ${settings.runId}: database ${new URL(databaseUrl).pathname.slice(1)}, topology ${prefix}.*`);
    log(await prepareDatabase(env, workDir));

    const pool = new Pool({ connectionString: databaseUrl, max: 2 });
    pool.on('error', () => undefined);
    teardown.add('pg pool', () => pool.end());
    return new BenchSession(
      settings,
      report,
      databaseUrl,
      prefix,
      new OnboardingProbe(pool),
      teardown,
      env,
      workDir,
    );
  }

  /** Starts the built API or worker on a free port with the run's environment and waits for /health/ready. */
  async startApp(
    name: string,
    kind: 'api' | 'worker',
    extraEnv: Record<string, string> = {},
  ): Promise<AppProcess> {
    const port = await freePort();
    const app = AppProcess.start({
      name,
      script: SCRIPTS[kind],
      port,
      cwd: this.workDir,
      env: { ...this.env, ...extraEnv, [kind === 'api' ? 'PORT' : 'WORKER_HTTP_PORT']: String(port) },
      logPath: join(RESULTS_DIR, `${this.report.startedAt.replace(/[:.]/g, '-')}.${name}.log`),
    });
    this.teardown.add(`stop ${name}`, () => app.stop());
    const readyMs = await app.waitReady();
    const rss = app.rssKib();
    this.report.startup[name] = {
      readyMs,
      idleRssMiB: rss === undefined ? null : Math.round(rss / 102.4) / 10,
    };
    log(`${name} ready in ${readyMs} ms (pid ${app.pid}, port ${port})`);
    return app;
  }

  /** Counts what a POST /users run acknowledged, for the end-of-run "nothing acknowledged is lost" check. */
  countRegistrations(load: HttpLoadResult, fixedDuration: boolean): number {
    const created = load.statusCodes['201'] ?? 0;
    this.acknowledged += created;
    if (fixedDuration) this.cutOffRuns += 1;
    return created;
  }
}
