import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const ENTRY_POINTS = {
  worker: join(ROOT, 'apps/worker/src/main.ts'),
  api: join(ROOT, 'apps/api/src/main.ts'),
} as const;
/** The variable each app reads its HTTP port from. */
const PORT_VARIABLES = { worker: 'WORKER_HTTP_PORT', api: 'PORT' } as const;
const MAX_OUTPUT_LINES = 5000;

export type AppKind = keyof typeof ENTRY_POINTS;

/** How a child process ended: its exit code, or the signal that killed it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The worker (or the API: both mains have the same shape) running from its TypeScript sources as a real child
 * process, so that a test can SIGKILL or SIGTERM it. It sees only the variables given (plus PATH), and runs
 * in an empty temporary directory, so a developer's `.env` (which the apps load from their working directory)
 * cannot leak in. Its output is kept (the last lines) for the test's failure message.
 */
export class AppProcess {
  private readonly lines: string[] = [];
  private readonly exited: Promise<ProcessExit>;
  private exit?: ProcessExit;

  private constructor(
    readonly kind: AppKind,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly workDir: string,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      let partial = '';
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        this.record(parts);
      });
      stream?.on('end', () => partial && this.record([partial]));
    }
    child.on('error', (error) => this.lines.push(`[${kind} process error: ${error.message}]`));
    this.exited = new Promise((resolveExit) => {
      // 'close' rather than 'exit': by then its output has been read to the end.
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        this.lines.push(`[${kind} exited: code ${code}, signal ${signal}]`);
        rmSync(workDir, { recursive: true, force: true });
        resolveExit(this.exit);
      });
    });
    // Should the test runner itself go away, the app must not outlive it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    void this.exited.then(() => process.removeListener('exit', killOnExit));
  }

  /**
   * Spawns `kind` with exactly `variables` (AppConfig's raw variables; the HTTP port is picked here).
   * Resolves once the process is spawned, not once it is ready: see {@link waitUntilReady}.
   */
  static async start(kind: AppKind, variables: Record<string, string>): Promise<AppProcess> {
    const port = await freePort();
    const workDir = mkdtempSync(join(tmpdir(), `onboarding-${kind}-`));
    const child = spawn(process.execPath, appArguments(kind), {
      cwd: workDir,
      env: { ...appEnvironment(variables), [PORT_VARIABLES[kind]]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(kind, port, child, workDir);
  }

  /** Sends `signal` without waiting for anything (see {@link waitForExit}). */
  signal(signal: NodeJS.Signals): void {
    if (!this.exit) this.child.kill(signal);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Whether `GET /health/ready` answers 200 right now (false while not listening). Like a Kubernetes probe, it
   * opens a connection per request (no keep-alive): a test that wants a lingering connection makes one itself.
   */
  isReady(): Promise<boolean> {
    return new Promise((resolveReady) => {
      const request = get(`${this.baseUrl}/health/ready`, { agent: false, timeout: 2000 }, (response) => {
        response.resume();
        resolveReady(response.statusCode === 200);
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolveReady(false));
    });
  }

  /** Polls `GET /health/live` until it answers 200 (the process serves, whatever its dependencies do). */
  async waitUntilLive(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit) throw new Error(`${this.kind} exited before it was live\n${this.output()}`);
      const live = await new Promise<boolean>((resolveLive) => {
        const request = get(`${this.baseUrl}/health/live`, { agent: false, timeout: 2000 }, (response) => {
          response.resume();
          resolveLive(response.statusCode === 200);
        });
        request.on('timeout', () => request.destroy());
        request.on('error', () => resolveLive(false));
      });
      if (live) return;
      if (Date.now() > deadline)
        throw new Error(`${this.kind} not live after ${timeoutMs} ms\n${this.output()}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
  }

  /** Polls `GET /health/ready` until it answers 200. Fails early if the process exits. */
  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit) throw new Error(`${this.kind} exited before it was ready\n${this.output()}`);
      if (await this.isReady()) return;
      if (Date.now() > deadline) {
        throw new Error(`${this.kind} not ready after ${timeoutMs} ms\n${this.output()}`);
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
  }

  /**
   * Sends `signal` and waits for the process to end, up to `timeoutMs`. Resolves with how it ended, or with
   * `'timeout'` (the process is then still running: the caller decides, e.g. SIGKILL in its cleanup).
   */
  async kill(signal: NodeJS.Signals, timeoutMs = 30_000): Promise<ProcessExit | 'timeout'> {
    if (!this.exit) this.child.kill(signal);
    return this.waitForExit(timeoutMs);
  }

  /** Waits for the process to end by itself, up to `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ProcessExit | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout('timeout'), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL unless it has exited; for cleanup, safe to call more than once. */
  async stop(): Promise<void> {
    if (this.exit) return;
    await this.kill('SIGKILL', 10_000);
  }

  /** The last lines it wrote (stdout and stderr interleaved), each through `format`, for a failure message. */
  output(lastLines = 200, format: (line: string) => string = (line) => line): string {
    return [`--- ${this.kind} (pid ${this.pid}) output, last ${lastLines} lines ---`]
      .concat(this.lines.slice(-lastLines).map(format))
      .join('\n');
  }

  /** Lines that match `pattern`, e.g. to find what the process logged about one message. */
  grep(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }

  private record(lines: string[]): void {
    for (const line of lines) if (line.trim()) this.lines.push(line);
    if (this.lines.length > MAX_OUTPUT_LINES) this.lines.splice(0, this.lines.length - MAX_OUTPUT_LINES);
  }
}

/** Node's arguments to run `kind` from its TypeScript sources (what `node dist/…/main.js` is after a build). */
export function appArguments(kind: AppKind): string[] {
  return [
    '-r',
    require.resolve('ts-node/register/transpile-only'),
    '-r',
    require.resolve('tsconfig-paths/register'),
    ENTRY_POINTS[kind],
  ];
}

/** Exactly `variables` (plus PATH and what ts-node needs): a developer's environment must not leak in. */
export function appEnvironment(variables: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    ...variables,
    TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
    TS_NODE_TRANSPILE_ONLY: 'true',
  };
}

/** A TCP port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return port;
}
