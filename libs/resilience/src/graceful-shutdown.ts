import type { INestApplication } from '@nestjs/common';

/**
 * Closes the app on SIGTERM / SIGINT and exits 0 once it has closed (Nest's own shutdown hooks re-raise the
 * signal, so the process would end "killed by SIGTERM" however cleanly it stopped). If closing overruns the
 * deadline, the process exits 1: the orchestrator should not wait forever, and unacked messages are redelivered.
 */
export function closeOnSignals(
  app: INestApplication,
  deadlineMs: number,
  log: (message: string) => void,
): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    log(`${signal} received; shutting down`);
    const overrun = setTimeout(() => {
      log(`shutdown exceeded ${deadlineMs} ms; exiting`);
      process.exit(1);
    }, deadlineMs);
    overrun.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
