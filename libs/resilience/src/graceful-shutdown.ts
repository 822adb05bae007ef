import type { INestApplication } from '@nestjs/common';
import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

let draining = false;

/** True once a shutdown signal has arrived: readiness answers 503 from that moment, before anything closes. */
export function isDraining(): boolean {
  return draining;
}

interface FastifyHost {
  getHttpAdapter(): {
    getInstance(): {
      addHook(
        name: 'onSend',
        hook: (
          request: unknown,
          reply: { header(name: string, value: string): unknown },
          payload: unknown,
        ) => Promise<unknown>,
      ): unknown;
    };
  };
}

/**
 * Once shutdown has begun, every response carries `Connection: close`. Otherwise a keep-alive client that had a
 * request in flight keeps its connection open, and closing the HTTP server waits for it (up to the keep-alive
 * timeout, far past any shutdown deadline). Register at app creation (Fastify takes hooks only before start).
 */
export function closeConnectionsWhenDraining(app: FastifyHost): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (_request, reply, payload) => {
      if (draining) reply.header('connection', 'close');
      return payload;
    });
}

/**
 * Closes the app on SIGTERM / SIGINT and exits 0 once it has closed (Nest's own shutdown hooks re-raise the
 * signal, so the process would end "killed by SIGTERM" however cleanly it stopped). The order:
 * 0. readiness answers 503 (isDraining);
 * 1. HTTP stops taking requests and finishes those in flight (readiness is then unreachable: the pod is out);
 * 2. Nest's shutdown: the relay flushes the outbox, consumers are cancelled and drained, connections close.
 * If this overruns the deadline, the process exits 1: the orchestrator should not wait forever, and anything
 * unacknowledged is redelivered.
 */
export function closeOnSignals(
  app: INestApplication,
  deadlineMs: number,
  log: (message: string) => void,
): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    // Ctrl-C under `npm start` delivers several signals (the terminal, npm and concurrently each send one): the
    // first starts the one graceful shutdown, the rest are noted and change nothing.
    if (closing) {
      log(`${signal} received again; the shutdown under way continues`);
      return;
    }
    closing = true;
    draining = true;
    log(`${signal} received; shutting down`);
    const overrun = setTimeout(() => {
      log(`shutdown exceeded ${deadlineMs} ms; exiting`);
      process.exit(1);
    }, deadlineMs);
    overrun.unref();
    closeHttp(app, deadlineMs / 4)
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log(`shutdown failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
  };
  // `on`, not `once`: with no listener left, a repeated signal would kill the process mid-shutdown.
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** Stops accepting HTTP requests and waits for those in flight; after `graceMs`, drops what is still open. */
async function closeHttp(app: INestApplication, graceMs: number): Promise<void> {
  const server = app.getHttpServer() as import('node:http').Server;
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await app.getHttpAdapter().close();
  } finally {
    clearTimeout(force);
  }
}

/** The readiness check that fails from the moment a shutdown signal arrives (both apps' `/health/ready`). */
export function drainingCheck(indicators: HealthIndicatorService): HealthIndicatorResult {
  const indicator = indicators.check('lifecycle');
  return isDraining() ? indicator.down({ message: 'shutting down' }) : indicator.up();
}
