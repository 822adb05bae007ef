/**
 * Cleanup steps registered as resources are created, run once in reverse order (processes before the database
 * they use), each on its own so that one failure does not leave the rest behind. Runs from `finally` and from
 * SIGINT / SIGTERM alike.
 */
export class Teardown {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private running?: Promise<string[]>;

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  /** Returns the steps that failed, with their errors. */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      const failures: string[] = [];
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
        } catch (error) {
          failures.push(`${step.name}: ${(error as Error).message}`);
        }
      }
      return failures;
    })();
    return this.running;
  }

  /** On SIGINT / SIGTERM: clean up, then exit with the conventional 128 + signal number. */
  onSignals(log: (message: string) => void): void {
    const handle = (signal: NodeJS.Signals, code: number) => {
      log(`\n${signal} received; cleaning up`);
      void this.run().then((failures) => {
        for (const failure of failures) log(`cleanup failed: ${failure}`);
        process.exit(code);
      });
    };
    process.once('SIGINT', () => handle('SIGINT', 130));
    process.once('SIGTERM', () => handle('SIGTERM', 143));
  }
}
