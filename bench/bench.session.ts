import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { AppProcess } from './app.process';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { deleteTopology, dropBenchDatabase, freePort, prepareDatabase } from './bench.environment';
import type { BenchReport } from './bench.report';
import {
  ADMIN_TOKEN,
  bareDatabaseUrl,
  benchDatabaseUrl,
  benchTopologyPrefix,
  BenchSettings,
  RESULTS_DIR,
  SCRIPTS,
} from './bench.settings';
import type { HttpLoadResult } from './http-load.runner';
import { OnboardingProbe } from './onboarding.probe';
import { RunRssMonitor } from './rss.sampler';
import type { Teardown } from './teardown';

export interface Argon2OnlyResult {
  hashes: number;
  hashesPerSec: number;
  measuredS: number;
  concurrency: number;
  threadpool: number;
  latencyMs: { p50: number; p99: number };
  params: { memoryKib: number; timeCost: number; parallelism: number };
}

export const log = (message: string) => process.stdout.write(`${message}\n`);

/**
 * One benchmark run's private world: its database, its broker prefix, the app processes it started, and the
 * count of registrations the API acknowledged. Everything it creates is registered with the teardown first.
 */
export class BenchSession {
  /** 201 answers to POST /users over the whole run (warm-ups included). */
  acknowledged = 0;
  /** Fixed-duration POST runs may each end with up to their connection count committed but unanswered. */
  unansweredAllowance = 0;
  /** Every app process of the run, sampled from start to exit. */
  readonly rss = new RunRssMonitor();

  private constructor(
    readonly settings: BenchSettings,
    readonly report: BenchReport,
    readonly databaseUrl: string,
    readonly topologyPrefix: string,
    readonly probe: OnboardingProbe,
    private readonly pool: Pool,
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
    const { rows } = await pool.query<{ autovacuum: string }>('SHOW autovacuum');
    report.machine.postgresAutovacuum = rows[0]?.autovacuum === 'on';
    if (!report.machine.postgresAutovacuum)
      report.notes.push(
        "PostgreSQL's autovacuum is off on this machine: the bench ran VACUUM (ANALYZE) on its database before each product scenario instead",
      );
    const session = new BenchSession(
      settings,
      report,
      databaseUrl,
      prefix,
      new OnboardingProbe(pool),
      pool,
      teardown,
      env,
      workDir,
    );
    teardown.add('rss monitor', async () => session.rss.stop());
    return session;
  }

  /**
   * Starts the built API, worker or bare baseline server on a free port with the run's environment and waits for
   * /health/ready. The bare server gets a database of its own, migrated by the same CLI, so that no relay ever
   * publishes its outbox rows and the product's consistency check only sees the product's users.
   */
  async startApp(
    name: string,
    kind: 'api' | 'worker' | 'bare',
    extraEnv: Record<string, string> = {},
  ): Promise<AppProcess> {
    const port = await freePort();
    let env = { ...this.env, ...extraEnv, [kind === 'worker' ? 'WORKER_HTTP_PORT' : 'PORT']: String(port) };
    if (kind === 'bare') env = { ...env, DATABASE_URL: await this.prepareBareDatabase() };
    const app = AppProcess.start({
      name,
      script: SCRIPTS[kind],
      port,
      cwd: this.workDir,
      env,
      logPath: join(RESULTS_DIR, `${this.report.startedAt.replace(/[:.]/g, '-')}.${name}.log`),
    });
    this.teardown.add(`stop ${name}`, () => app.stop());
    this.rss.track(app);
    const readyMs = await app.waitReady();
    const rss = app.rssKib();
    this.report.startup[name] = {
      readyMs,
      idleRssMiB: rss === undefined ? null : Math.round(rss / 102.4) / 10,
    };
    log(`${name} ready in ${readyMs} ms (pid ${app.pid}, port ${port})`);
    return app;
  }

  /**
   * What autovacuum would have done between two scenarios, on a server where it is off: without it, the dead
   * tuples of the scenarios before (every relayed outbox row, every settled step) slow down the one measured. Run
   * when the pipeline is idle, outside any measured window.
   */
  async vacuumUnlessAutovacuum(): Promise<void> {
    if (this.report.machine.postgresAutovacuum !== false) return;
    const started = performance.now();
    await this.pool.query('VACUUM (ANALYZE)');
    log(`  VACUUM (ANALYZE) in ${Math.round(performance.now() - started)} ms (autovacuum is off)`);
  }

  /**
   * Counts what a POST /users run on the product acknowledged, for the end-of-run "nothing acknowledged is lost"
   * check; `cutOffConnections` for a fixed-duration run (the requests in flight when it stopped).
   */
  countRegistrations(load: HttpLoadResult, cutOffConnections = 0): number {
    const created = load.statusCodes['201'] ?? 0;
    this.acknowledged += created;
    this.unansweredAllowance += cutOffConnections;
    return created;
  }

  private bareDatabase?: Promise<string>;

  private prepareBareDatabase(): Promise<string> {
    this.bareDatabase ??= (async () => {
      const url = bareDatabaseUrl(this.settings);
      this.teardown.add('bare database', () => dropBenchDatabase(url));
      log(await prepareDatabase({ ...this.env, DATABASE_URL: url }, this.workDir));
      return url;
    })();
    return this.bareDatabase;
  }

  /**
   * The argon2id-only measurement: the product's library at the given cost in a child process of its own (its
   * own libuv pool, as the API has), `argon2Concurrency` hashes in flight, after a warm-up.
   */
  async measureArgon2(params: Record<string, string>): Promise<Argon2OnlyResult> {
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPTS.argon2Only], {
      cwd: this.workDir,
      env: {
        PATH: this.env.PATH,
        ...params,
        CONCURRENCY: String(this.settings.argon2Concurrency),
        WARMUP_S: String(this.settings.warmupS),
        DURATION_S: String(this.settings.durationS),
      },
      timeout: (this.settings.warmupS + this.settings.durationS + 60) * 1000,
    });
    return JSON.parse(stdout) as Argon2OnlyResult;
  }
}
