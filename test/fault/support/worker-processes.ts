import type { TestEnvironment } from '../../support/test-environment';
import { AppProcess } from '../../support/worker-process';

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
