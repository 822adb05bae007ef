import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ExitReport, LogSummary } from './app.process';
import { BenchSettings, REPO_ROOT } from './bench.settings';
import type { HttpLoadResult } from './http-load.runner';
import type { EndToEndStats, OnboardingCounts } from './onboarding.probe';
import type { RssPeaks } from './rss.sampler';

interface ScenarioBase {
  name: string;
  what: string;
  /** The API process that served it (its peak RSS is the "API RSS" column). */
  app: string;
  /** The worker process running meanwhile ("worker RSS"). */
  workerApp: string;
  /** Peak resident memory per process during the measured part, MiB. */
  rssPeakMiB: RssPeaks;
}

export interface HttpScenarioResult extends ScenarioBase {
  kind: 'http';
  connections: number;
  load: HttpLoadResult;
  /** okPerSec relative to the baseline scenario of the same run. */
  vsBaseline: number | null;
}

export interface OnboardingScenarioResult extends ScenarioBase, EndToEndStats {
  kind: 'onboarding';
  /** How long the pipeline took to become idle before the burst (backlog of the earlier scenarios). */
  idleWaitMs: number;
  registration: HttpLoadResult;
  users: number;
  completed: number;
  timedOut: boolean;
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

export type ScenarioResult = HttpScenarioResult | OnboardingScenarioResult | BacklogScenarioResult;

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
  };
  settings: Record<string, unknown>;
  startup: Record<string, { readyMs: number; idleRssMiB: number | null }>;
  scenarios: ScenarioResult[];
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
  const memory = [fmt(scenario.rssPeakMiB[scenario.app]), fmt(scenario.rssPeakMiB[scenario.workerApp])];
  switch (scenario.kind) {
    case 'http':
      return [
        scenario.name,
        `${fmt(scenario.load.okPerSec)} req/s`,
        fmt(scenario.load.latencyMs.p50, 2),
        fmt(scenario.load.latencyMs.p99, 2),
        scenario.vsBaseline === null ? '-' : `${(scenario.vsBaseline * 100).toFixed(2)} %`,
        String(failures(scenario.load)),
        ...memory,
      ];
    case 'onboarding':
      return [
        `${scenario.name} (lag)`,
        `${fmt(scenario.eventsPerSec)} ev/s`,
        fmt(scenario.lagMs.p50),
        fmt(scenario.lagMs.p99),
        '-',
        String(failures(scenario.registration) + scenario.users - scenario.completed),
        ...memory,
      ];
    case 'backlog':
      return [
        scenario.name,
        `${fmt(scenario.eventsPerSec)} ev/s`,
        '-',
        '-',
        '-',
        String(failures(scenario.registration) + scenario.users - scenario.completed),
        ...memory,
      ];
  }
}

/** The human-readable summary printed at the end of `npm run bench`. */
export function renderTable(report: BenchReport): string {
  const header = ['scenario', 'rate', 'p50 ms', 'p99 ms', 'vs baseline', 'failed', 'API MiB', 'worker MiB'];
  const rows = report.scenarios.map(row);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((cells) => cells[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
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
    },
    settings: {
      ...settings,
      postgresServerUrl: hideCredentials(settings.postgresServerUrl),
      rabbitmqUrl: hideCredentials(settings.rabbitmqUrl),
    },
    startup: {},
    scenarios: [],
    shutdown: {},
    logs: {},
    final: null,
    notes: [],
  };
}

/** The end-of-run summary: the table, shutdowns, logged warnings, final state and notes. */
export function printSummary(report: BenchReport, log: (line: string) => void): void {
  if (report.scenarios.length) log(`\n${renderTable(report)}\n`);
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
