import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ExitReport {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From SIGTERM to exit. */
  shutdownMs: number;
  /** True when it overran the deadline and had to be SIGKILLed. */
  killed: boolean;
}

export interface LogSummary {
  /** Lines at pino level warn (40) or above. */
  warnOrWorse: number;
  /** Up to five distinct messages among them, for the report. */
  samples: string[];
  /** Lines that were not JSON (a crash trace, for instance). */
  unstructured: number;
}

/**
 * One app (API or worker) as a real child process, started from the build output, its stdout and stderr in a
 * log file. The benchmark talks to it over HTTP on 127.0.0.1 only.
 */
export class AppProcess {
  private readonly exited: Promise<void>;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly logPath: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
    });
  }

  static start(options: {
    name: string;
    script: string;
    port: number;
    env: Record<string, string>;
    cwd: string;
    logPath: string;
  }): AppProcess {
    const log = openSync(options.logPath, 'a');
    try {
      const child = spawn(process.execPath, [options.script], {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', log, log],
      });
      return new AppProcess(options.name, options.port, options.logPath, child);
    } finally {
      closeSync(log);
    }
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Polls `GET /health/ready` until it answers 200; fails early if the process dies. */
  async waitReady(timeoutMs = 30_000): Promise<number> {
    const started = Date.now();
    let last = 'no answer';
    while (Date.now() - started < timeoutMs) {
      if (!this.running) {
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.exitInfo)}) before ready; see ${this.logPath}`,
        );
      }
      try {
        const response = await fetch(`${this.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (response.status === 200) return Date.now() - started;
        last = `${response.status} ${await response.text()}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(200);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms (last: ${last}); see ${this.logPath}`);
  }

  /** Resident set size now, in KiB (from /proc, or `ps` where there is no /proc); undefined once it exited. */
  rssKib(): number | undefined {
    if (!this.running) return undefined;
    return readRssKib(this.pid);
  }

  /** SIGTERM, then SIGKILL if the graceful shutdown overruns `deadlineMs`. Safe to call twice. */
  async stop(deadlineMs = 20_000): Promise<ExitReport> {
    const started = Date.now();
    let killed = false;
    if (this.running) {
      this.child.kill('SIGTERM');
      const overrun = setTimeout(() => {
        killed = true;
        this.child.kill('SIGKILL');
      }, deadlineMs);
      await this.exited;
      clearTimeout(overrun);
    }
    return {
      code: this.exitInfo?.code ?? null,
      signal: this.exitInfo?.signal ?? null,
      shutdownMs: Date.now() - started,
      killed,
    };
  }

  /** Warnings and errors the app logged (LOG_LEVEL=warn, so that is every line it wrote). */
  summarizeLog(): LogSummary {
    const summary: LogSummary = { warnOrWorse: 0, samples: [], unstructured: 0 };
    const text = readFileSync(this.logPath, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: { level?: number; msg?: string; context?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        summary.unstructured += 1;
        continue;
      }
      if ((entry.level ?? 0) < 40) continue;
      summary.warnOrWorse += 1;
      const message = `${entry.context ? `${entry.context}: ` : ''}${entry.msg ?? ''}`.slice(0, 200);
      if (summary.samples.length < 5 && !summary.samples.includes(message)) summary.samples.push(message);
    }
    return summary;
  }
}

function readRssKib(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // No /proc (macOS) or the process just exited: fall back to ps.
  }
  try {
    const rss = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    return Number.isFinite(rss) && rss > 0 ? rss : undefined;
  } catch {
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
