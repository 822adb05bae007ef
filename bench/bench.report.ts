import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ExitReport, LogSummary } from './app.process';
import { BenchSettings, REPO_ROOT } from './bench.settings';
import type { HttpLoadResult } from './http-load.runner';
import type { EndToEndStats, OnboardingCounts } from './onboarding.probe';
import type { Argon2OnlyResult } from './bench.session';
import type { RssPeaks, RssSummary } from './rss.sampler';

interface ScenarioBase {
  name: string;
  what: string;
  /** The server process that served it (its peak RSS is the "API RSS" column). */
  app: string;
  /** The worker process running meanwhile ("worker RSS"), if any. */
  workerApp: string | null;
  /** Peak resident memory per process during the measured part, MiB. */
  rssPeakMiB: RssPeaks;
}

/** The pipeline while a POST /users load ran on the product (users.onboarding_status, database counts). */
export interface PipelineDuringLoad {
  onboardedPerSec: number;
  /** New user rows per second over the same window (201s plus any cut off at the end). */
  registeredPerSec: number;
  /** Registered but not yet onboarded, when the measured load began and when it ended. */
  backlogAtStart: number;
  backlogAtEnd: number;
  /** From the end of the load until nothing was pending; null if not within BENCH_DRAIN_TIMEOUT_S. */
  caughtUpMs: number | null;
}

export interface HttpScenarioResult extends ScenarioBase {
  kind: 'http';
  connections: number;
  load: HttpLoadResult;
  /** okPerSec relative to a reference measured in the same run. */
  vs: { reference: string; share: number } | null;
  pipeline: PipelineDuringLoad | null;
}

/** The argon2id-only measurement: hashes per second, no HTTP. */
export interface Argon2ScenarioResult extends ScenarioBase, Argon2OnlyResult {
  kind: 'argon2';
}

export interface OnboardingScenarioResult extends ScenarioBase, EndToEndStats {
  kind: 'onboarding';
  /** The pace asked of the load generator, req/s. */
  targetRate: number;
  /** How long the pipeline took to become idle before the load (backlog of the earlier scenarios). */
  idleWaitMs: number;
  registration: HttpLoadResult;
  users: number;
  completed: number;
  timedOut: boolean;
}

export interface SteadyScenarioResult extends ScenarioBase {
  kind: 'steady';
  targetRate: number;
  registration: HttpLoadResult;
  backlogAtEnd: number;
  caughtUpMs: number | null;
  /** Per process: median RSS of the second and the last tenth of the load, the peak, and end minus start. */
  rss: Record<
    string,
    { startMiB: number | null; endMiB: number | null; peakMiB: number | null; growthMiB: number | null }
  >;
}

export interface BacklogScenarioResult extends ScenarioBase {
  kind: 'backlog';
  registration: HttpLoadResult;
  users: number;
  queueDepthAtStart: number | null;
  completed: number;
  timedOut: boolean;
  /** Between the first and the last completion. */
  eventsPerSec: number;
  completionSpanMs: number;
  /** Worker spawn to all completed (includes the worker's start-up). */
  wallMs: number;
}

export type ScenarioResult =
  | HttpScenarioResult
  | Argon2ScenarioResult
  | OnboardingScenarioResult
  | SteadyScenarioResult
  | BacklogScenarioResult;

/** One target of issue 10, evaluated on this run's numbers. */
export interface TargetResult {
  target: string;
  value: string;
  goal: string;
  /** null when a number it needs is missing (a scenario failed). */
  met: boolean | null;
}

export interface BenchReport {
  startedAt: string;
  finishedAt?: string;
  git: { commit: string | null; dirty: boolean | null };
  machine: {
    cpus: number;
    cpuModel: string;
    totalMemMiB: number;
    node: string;
    platform: string;
    /** 1, 5 and 15 minute load averages when the run began. */
    loadAverageAtStart: number[];
    /** Share of all CPUs busy during the second before the run (0..1): other work skews every number. */
    cpuBusyShareAtStart: number | null;
    /**
     * PostgreSQL's `autovacuum` setting. Off (as on this project's CI machines), the bench vacuums its database
     * before each scenario in autovacuum's stead: every relayed outbox row leaves dead tuples behind, and without
     * a vacuum they slow each later scenario down (the lag doubled over four runs of a minute).
     */
    postgresAutovacuum: boolean | null;
  };
  settings: Record<string, unknown>;
  startup: Record<string, { readyMs: number; idleRssMiB: number | null }>;
  scenarios: ScenarioResult[];
  /** Run-wide RSS per app process (sampled every 250 ms from start to exit). */
  rss: Record<string, RssSummary>;
  targets: TargetResult[];
  shutdown: Record<string, ExitReport>;
  logs: Record<string, LogSummary>;
  /** Consistency after the run, once the backlog is drained (or the wait timed out). */
  final:
    | (OnboardingCounts & {
        acknowledgedRegistrations: number;
        /** Unanswered requests at the end of fixed-duration runs may have committed: at most this many. */
        unansweredAllowance: number;
        deadLetterQueueDepth: number | null;
        /** Null when the schema has no dead-letter ledger. */
        deadLetterLedgerRows: number | null;
      })
    | null;
  notes: string[];
}

const fmt = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined ? '-' : value.toFixed(digits);

const failures = (load: HttpLoadResult) =>
  load.errors +
  Object.entries(load.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((total, [, count]) => total + count, 0);

function row(scenario: ScenarioResult): string[] {
  const memory = [
    fmt(scenario.rssPeakMiB[scenario.app]),
    scenario.workerApp ? fmt(scenario.rssPeakMiB[scenario.workerApp]) : '-',
  ];
  switch (scenario.kind) {
    case 'http':
      return [
        scenario.name,
        String(scenario.connections),
        `${fmt(scenario.load.okPerSec)} req/s`,
        fmt(scenario.load.latencyMs.p50, 2),
        fmt(scenario.load.latencyMs.p99, 2),
        scenario.vs ? `${(scenario.vs.share * 100).toFixed(1)} % of ${scenario.vs.reference}` : '-',
        String(failures(scenario.load)),
        ...memory,
      ];
    case 'argon2':
      return [
        scenario.name,
        String(scenario.concurrency),
        `${fmt(scenario.hashesPerSec)} hash/s`,
        fmt(scenario.latencyMs.p50, 2),
        fmt(scenario.latencyMs.p99, 2),
        '-',
        '0',
        '-',
        '-',
      ];
    case 'onboarding':
      return [
        `${scenario.name} (lag)`,
        '',
        `${fmt(scenario.eventsPerSec)} users/s`,
        fmt(scenario.lagMs.p50),
        fmt(scenario.lagMs.p99),
        `paced at ${scenario.targetRate} req/s`,
        String(failures(scenario.registration) + Math.max(0, scenario.users - scenario.completed)),
        ...memory,
      ];
    case 'steady':
      return [
        scenario.name,
        '',
        `${fmt(scenario.registration.okPerSec)} req/s`,
        fmt(scenario.registration.latencyMs.p50, 2),
        fmt(scenario.registration.latencyMs.p99, 2),
        `paced at ${scenario.targetRate} req/s`,
        String(failures(scenario.registration)),
        ...memory,
      ];
    case 'backlog':
      return [
        scenario.name,
        '',
        `${fmt(scenario.eventsPerSec)} ev/s`,
        '-',
        '-',
        '-',
        String(failures(scenario.registration) + Math.max(0, scenario.users - scenario.completed)),
        ...memory,
      ];
  }
}

/** Columns before `leftColumns` are left-aligned (names, prose), the rest right-aligned (numbers). */
function table(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((cells) => cells[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column < leftColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** The human-readable summary printed at the end of `npm run bench`. */
export function renderTable(report: BenchReport): string {
  const header = ['scenario', 'c', 'rate', 'p50 ms', 'p99 ms', 'vs', 'failed', 'API MiB', 'worker MiB'];
  return table(header, report.scenarios.map(row));
}

/** Pipeline figures of the POST runs on the product with the worker running. */
export function renderPipeline(report: BenchReport): string {
  const rows = report.scenarios.flatMap((scenario) =>
    scenario.kind === 'http' && scenario.pipeline
      ? [
          [
            scenario.name,
            fmt(scenario.pipeline.registeredPerSec),
            fmt(scenario.pipeline.onboardedPerSec),
            String(scenario.pipeline.backlogAtStart),
            String(scenario.pipeline.backlogAtEnd),
            scenario.pipeline.caughtUpMs === null ? 'no' : String(scenario.pipeline.caughtUpMs),
          ],
        ]
      : [],
  );
  return table(
    ['during', 'registered/s', 'onboarded/s', 'backlog start', 'backlog end', 'caught up ms'],
    rows,
  );
}

export function renderRss(report: BenchReport): string {
  const rows = Object.entries(report.rss).map(([name, summary]) => [
    name,
    fmt(summary.peakMiB),
    fmt(summary.medianMiB),
    String(summary.samples),
  ]);
  return table(['process', 'peak MiB', 'median MiB', 'samples'], rows);
}

export function renderTargets(report: BenchReport): string {
  const verdict = (met: boolean | null) => (met === null ? 'n/a' : met ? 'met' : 'NOT met');
  return table(
    ['target (issue 10)', 'value', 'goal', ''],
    report.targets.map((target) => [target.target, target.value, target.goal, verdict(target.met)]),
    4,
  );
}

/** Writes bench/results/<timestamp>.json (the folder is git-ignored) and returns its path. */
export function writeReport(directory: string, report: BenchReport): string {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

function gitState(): BenchReport['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** An empty report for a run with these settings, stamped with the machine and the git state. */
export function createReport(settings: BenchSettings): BenchReport {
  const hideCredentials = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');
  return {
    startedAt: new Date().toISOString(),
    git: gitState(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      totalMemMiB: Math.round(totalmem() / 2 ** 20),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
      cpuBusyShareAtStart: null,
      postgresAutovacuum: null,
    },
    settings: {
      ...settings,
      postgresServerUrl: hideCredentials(settings.postgresServerUrl),
      rabbitmqUrl: hideCredentials(settings.rabbitmqUrl),
    },
    startup: {},
    scenarios: [],
    rss: {},
    targets: [],
    shutdown: {},
    logs: {},
    final: null,
    notes: [],
  };
}

/** The end-of-run summary: the table, shutdowns, logged warnings, final state and notes. */
export function printSummary(report: BenchReport, log: (line: string) => void): void {
  if (report.scenarios.length) log(`\n${renderTable(report)}\n`);
  if (report.scenarios.some((scenario) => scenario.kind === 'http' && scenario.pipeline))
    log(`${renderPipeline(report)}\n`);
  if (Object.keys(report.rss).length) log(`${renderRss(report)}\n`);
  if (report.targets.length) log(`${renderTargets(report)}\n`);
  for (const [name, exit] of Object.entries(report.shutdown)) {
    const killed = exit.killed ? ' (SIGKILLed at the deadline)' : '';
    log(`shutdown ${name}: ${exit.shutdownMs} ms, exit ${exit.code ?? exit.signal}${killed}`);
  }
  for (const [name, summary] of Object.entries(report.logs)) {
    if (summary.warnOrWorse || summary.unstructured) {
      log(
        `log ${name}: ${summary.warnOrWorse} warn+ lines, ${summary.unstructured} non-JSON; ` +
          `e.g. ${JSON.stringify(summary.samples)}`,
      );
    }
  }
  if (report.final) log(`final state: ${JSON.stringify(report.final)}`);
  for (const note of report.notes) log(`note: ${note}`);
}
