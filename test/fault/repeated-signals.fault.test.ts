import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import { AppProcess, appArguments, appEnvironment, freePort, ProcessExit } from '../support/worker-process';
import { expectEveryUserOnboardedOnce, withDiagnostics } from './support/expect-onboarded-once';
import { compactOutputLine, FAULT_SETTINGS } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerOverHttp, SignupLoad } from './support/signup-load';
import { teardown } from './support/teardown';

const ROOT = resolve(__dirname, '../..');

/** Two SIGINTs, 5 ms apart, as Ctrl-C under a process manager delivers them. */
async function doubleInterrupt(app: AppProcess): Promise<ProcessExit | 'timeout'> {
  app.signal('SIGINT');
  await new Promise((resolveWait) => setTimeout(resolveWait, 5));
  app.signal('SIGINT');
  // A deadline, not a performance bound: the app enforces its own (exit 1); this only stops a hang.
  return app.waitForExit(Number(FAULT_SETTINGS.SHUTDOWN_TIMEOUT_MS) + 10_000);
}

/**
 * Ctrl-C seldom arrives once: under `npm start`, the terminal signals the whole foreground process group, and npm
 * and concurrently each forward the signal again. However many arrive, each app does one graceful shutdown and
 * exits 0, and nothing acknowledged is lost.
 */
describe('fault: repeated interrupt signals', () => {
  let env: TestEnvironment;
  let audit: OnboardingAudit;
  const apis: AppProcess[] = [];
  const workers: AppProcess[] = [];

  const start = async (kind: 'api' | 'worker') => {
    const app = await AppProcess.start(kind, env.variables(FAULT_SETTINGS));
    (kind === 'api' ? apis : workers).push(app);
    await app.waitUntilReady();
    return app;
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    audit = await OnboardingAudit.open(env, env.config(FAULT_SETTINGS));
    await start('worker');
    await start('api');
  });

  afterAll(async () => {
    await teardown(
      () => audit?.close(),
      ...[...apis, ...workers].map((app) => () => app.stop()),
      () => env?.cleanup(),
    );
  });

  it('when each app gets two SIGINTs 5 ms apart mid-load, then each exits 0 and every acknowledged user is onboarded, once', async () => {
    const load = new SignupLoad(registerOverHttp(() => apis[apis.length - 1].baseUrl));
    const exits: Record<string, ProcessExit | 'timeout'> = {};
    const chaos = async () => {
      await load.whenAttempted(20);
      exits.api = await doubleInterrupt(apis[0]);
      await start('api');
      await load.whenAttempted(50);
      exits.worker = await doubleInterrupt(workers[0]);
      await start('worker');
    };
    const faulted = chaos();

    await Promise.all([
      load.run({ waves: 5, waveSize: 10, pauseMs: 300, until: faulted, maxWaves: 20 }),
      faulted,
    ]);

    const diagnostics = () =>
      [
        `registrations: ${JSON.stringify(load.failures())}`,
        ...[...apis, ...workers].map((app) => app.output(100, compactOutputLine)),
      ].join('\n');
    await withDiagnostics(diagnostics, async () => {
      expect(exits).toEqual({ api: { code: 0, signal: null }, worker: { code: 0, signal: null } });
      expect(apis[0].grep(/SIGINT received again/)).toHaveLength(1);
      expect(workers[0].grep(/SIGINT received again/)).toHaveLength(1);
    });
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, { timeoutMs: 60_000, diagnostics });
  }, 120_000);

  it('when `npm start`’s process group gets Ctrl-C, then both apps and the process manager exit 0', async () => {
    // `npm start` as package.json has it, the apps run from their sources instead of dist/ (no build needed).
    const start = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts.start;
    const command = start.replace(
      /node dist\/apps\/(api|worker)\/src\/main\.js/g,
      (_, kind: 'api' | 'worker') =>
        [process.execPath, ...appArguments(kind)].map((part) => `'${part}'`).join(' '),
    );
    expect(command).not.toBe(start);
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const workDir = mkdtempSync(join(tmpdir(), 'onboarding-npm-start-'));
    const output: string[] = [];
    // Its own process group, like a terminal's foreground job.
    const group: ChildProcess = spawn('sh', ['-c', command], {
      cwd: workDir,
      detached: true,
      env: {
        ...appEnvironment(env.variables(FAULT_SETTINGS)),
        PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
        PORT: String(apiPort),
        WORKER_HTTP_PORT: String(workerPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    group.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    group.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<ProcessExit>((resolveExit) =>
      group.once('close', (code, signal) => resolveExit({ code, signal })),
    );
    try {
      await eventually(async () => (await isReady(apiPort)) && (await isReady(workerPort)), {
        timeoutMs: 60_000,
        what: 'both apps ready under concurrently',
      });

      process.kill(-group.pid!, 'SIGINT');

      const exit = await Promise.race([
        exited,
        new Promise<'timeout'>((resolveTimeout) => setTimeout(() => resolveTimeout('timeout'), 30_000)),
      ]);
      await withDiagnostics(
        () => output.join('').split('\n').slice(-80).join('\n'),
        async () => {
          expect(exit).toEqual({ code: 0, signal: null });
          expect(output.join('')).toMatch(/api.*exited with code 0/);
          expect(output.join('')).toMatch(/worker.*exited with code 0/);
        },
      );
    } finally {
      if (group.exitCode === null) process.kill(-group.pid!, 'SIGKILL');
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 120_000);
});

function isReady(port: number): Promise<boolean> {
  return new Promise((resolveReady) => {
    const request = get(
      `http://127.0.0.1:${port}/health/ready`,
      { agent: false, timeout: 2000 },
      (response) => {
        response.resume();
        resolveReady(response.statusCode === 200);
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolveReady(false));
  });
}
