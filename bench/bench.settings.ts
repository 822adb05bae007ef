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
} as const;

export const ADMIN_TOKEN = 'bench-admin-token-0000000001';

/** Knobs of one run. Defaults keep a full `npm run bench` under two minutes on the 2-core machine. */
export interface BenchSettings {
  /** Unique per run: the database name and the broker topology prefix derive from it. */
  runId: string;
  postgresServerUrl: string;
  rabbitmqUrl: string;
  /** Seconds of measured load per HTTP scenario. */
  durationS: number;
  /** Seconds of unmeasured load before each HTTP scenario (JIT, connection pools). */
  warmupS: number;
  /** Concurrent HTTP connections of the load generator. */
  connections: number;
  /** Users registered in one burst by the onboarding scenario. */
  onboardingUsers: number;
  /** Users queued while the worker is stopped, for the worker-drain scenario. */
  backlogUsers: number;
  /** Longest wait for the onboarding pipeline to catch up before a scenario is declared failed. */
  drainTimeoutS: number;
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
    connections: Math.trunc(positiveNumber('BENCH_CONNECTIONS', 16)),
    onboardingUsers: Math.trunc(positiveNumber('BENCH_ONBOARDING_USERS', 500)),
    backlogUsers: Math.trunc(positiveNumber('BENCH_BACKLOG_USERS', 2000)),
    drainTimeoutS: positiveNumber('BENCH_DRAIN_TIMEOUT_S', 45),
  };
}

/** The benchmark's own database on the configured server. */
export function benchDatabaseUrl(settings: BenchSettings): string {
  const url = new URL(settings.postgresServerUrl);
  url.pathname = `/onboarding_bench_${settings.runId}`;
  return url.toString();
}

export function benchTopologyPrefix(settings: BenchSettings): string {
  return `bench.${settings.runId}`;
}
