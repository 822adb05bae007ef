import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

/** Where the compiled benchmark finds the built apps and writes its results (it runs from dist/bench/). */
export const REPO_ROOT = resolve(__dirname, '..', '..');
export const DIST = resolve(REPO_ROOT, 'dist');
export const RESULTS_DIR = resolve(REPO_ROOT, 'bench', 'results');

export const SCRIPTS = {
  api: resolve(DIST, 'apps/api/src/main.js'),
  worker: resolve(DIST, 'apps/worker/src/main.js'),
  prepareDatabase: resolve(DIST, 'libs/database/src/cli/prepare-database.js'),
  bare: resolve(DIST, 'bench/bare/bare-signup.server.js'),
  argon2Only: resolve(DIST, 'bench/bare/argon2-only.js'),
} as const;

export const ADMIN_TOKEN = 'bench-admin-token-0000000001';

/** Knobs of one run. With the defaults a full `npm run bench` takes about eight minutes (five of steady load). */
export interface BenchSettings {
  /** Unique per run: the database name and the broker topology prefix derive from it. */
  runId: string;
  postgresServerUrl: string;
  rabbitmqUrl: string;
  /** Seconds of measured load per HTTP scenario. */
  durationS: number;
  /** Seconds of unmeasured load before each HTTP scenario (JIT, connection pools). */
  warmupS: number;
  /**
   * Connections of the paced loads (lag, steady) and of the backlog fill. The compared HTTP scenarios use the
   * issue's fixed counts (10 and 50; 8 at the OWASP cost) so that every run compares like with like.
   */
  connections: number;
  /** Users queued while the worker is stopped, for the worker-drain scenario. */
  backlogUsers: number;
  /** Longest wait for the onboarding pipeline to catch up before a scenario is declared failed. */
  drainTimeoutS: number;
  /** Seconds of the steady-load scenario (RSS at its start against its end). */
  steadyS: number;
  /** Hashes kept in flight by the argon2id-only measurement (more than the libuv pool's 4 threads). */
  argon2Concurrency: number;
}

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** Reads the BENCH_* variables (all optional); see bench/README.md. */
export function loadBenchSettings(): BenchSettings {
  return {
    runId: `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`,
    postgresServerUrl: process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    rabbitmqUrl: process.env.BENCH_RABBITMQ_URL || 'amqp://guest:guest@127.0.0.1:5672',
    durationS: positiveNumber('BENCH_DURATION_S', 10),
    warmupS: positiveNumber('BENCH_WARMUP_S', 2),
    connections: Math.trunc(positiveNumber('BENCH_CONNECTIONS', 10)),
    backlogUsers: Math.trunc(positiveNumber('BENCH_BACKLOG_USERS', 2000)),
    drainTimeoutS: positiveNumber('BENCH_DRAIN_TIMEOUT_S', 120),
    steadyS: positiveNumber('BENCH_STEADY_S', 300),
    argon2Concurrency: Math.trunc(positiveNumber('BENCH_ARGON2_CONCURRENCY', 8)),
  };
}

/** The benchmark's own database on the configured server. */
export function benchDatabaseUrl(settings: BenchSettings): string {
  const url = new URL(settings.postgresServerUrl);
  url.pathname = `/onboarding_bench_${settings.runId}`;
  return url.toString();
}

/** The bare baseline's database: same server, same migrations, its own rows (no relay publishes them). */
export function bareDatabaseUrl(settings: BenchSettings): string {
  const url = new URL(settings.postgresServerUrl);
  url.pathname = `/onboarding_bench_${settings.runId}_bare`;
  return url.toString();
}

export function benchTopologyPrefix(settings: BenchSettings): string {
  return `bench.${settings.runId}`;
}
