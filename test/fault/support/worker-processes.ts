import { eventually, type TestEnvironment } from '../../support/test-environment';
import { AppProcess, type ProcessExit } from '../../support/worker-process';
import type { SignupLoad } from './signup-load';

/** When and how to kill the worker under load: see {@link WorkerProcesses.killAtWorkUnderLoad}. */
export interface KillsUnderLoad {
  /** Registrations attempted before each kill. */
  attempts: readonly number[];
  /** A count that grows while the worker is at work (users onboarded, mails received). */
  progress: () => number | Promise<number>;
  /** What the progress is, for a timeout's message. */
  what: string;
  wave: { waves: number; waveSize: number; pauseMs: number };
}

/** The worker processes a fault test has started, the current one last; all stopped on teardown. */
export class WorkerProcesses {
  readonly all: AppProcess[] = [];

  constructor(private readonly variables: () => Record<string, string>) {}

  /** Starts another worker process and resolves once it is ready. */
  async start(): Promise<AppProcess> {
    const worker = await AppProcess.start('worker', this.variables());
    this.all.push(worker);
    await worker.waitUntilReady();
    return worker;
  }

  get current(): AppProcess {
    const worker = this.all.at(-1);
    if (!worker) throw new Error('no worker process was started');
    return worker;
  }

  /**
   * Runs `load` and, once each number of `attempts` is reached and the worker is seen at work (`progress` grew),
   * kills the current worker with SIGKILL and starts another. The load keeps going until the last restart (a
   * worker that catches up at once, as a batched one does, must still find work before each kill, however slowly
   * its successor comes up), capped at 60 waves.
   * @returns how each killed worker exited
   */
  async killAtWorkUnderLoad(
    load: SignupLoad,
    { attempts, progress, what, wave }: KillsUnderLoad,
  ): Promise<(ProcessExit | 'timeout')[]> {
    const exits: (ProcessExit | 'timeout')[] = [];
    const chaos = async () => {
      for (const attempted of attempts) {
        await load.whenAttempted(attempted);
        const before = await progress();
        await eventually(async () => (await progress()) > before, { timeoutMs: 30_000, what });
        exits.push(await this.current.kill('SIGKILL', 10_000));
        await this.start();
      }
    };
    const chaosDone = chaos();
    await Promise.all([load.run({ ...wave, until: chaosDone, maxWaves: 60 }), chaosDone]);
    return exits;
  }

  /** Teardown steps, one per process. */
  stopSteps(): (() => Promise<void>)[] {
    return this.all.map((worker) => () => worker.stop());
  }
}

/** How many users have completed onboarding so far. */
export async function countCompletedUsers(env: TestEnvironment): Promise<number> {
  const [row] = await env.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM users WHERE onboarding_status = 'completed'`,
  );
  return row?.count ?? 0;
}
