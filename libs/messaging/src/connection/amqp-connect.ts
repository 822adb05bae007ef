import { exponentialBackoff } from '@app/resilience';
import { AmqpConnectionManager, connect } from 'amqp-connection-manager';
import { setTimeout as sleep } from 'node:timers/promises';

export interface AmqpConnectOptions {
  url: string;
  heartbeatSeconds: number;
  /** Shown in the broker's management UI, to tell the API's and the worker's connections apart. */
  connectionName: string;
}

/** How long closing may wait for a connection attempt that is under way (a TCP connect to an unreachable host). */
const CLOSE_TIMEOUT_MS = 2000;

/**
 * An auto-reconnecting connection whose reconnects back off exponentially with jitter (the library itself only
 * knows a fixed interval): `findServers` is asked before every attempt, so it is where the wait happens.
 *
 * The library's `close()` waits for the connection attempt under way, the backoff sleep included, so with the
 * broker unreachable a shutdown would wait for up to a whole backoff step: `close()` of the returned manager
 * first cuts the sleep short, and gives up waiting after {@link CLOSE_TIMEOUT_MS}.
 */
export function connectWithBackoff(options: AmqpConnectOptions): AmqpConnectionManager {
  const delays = exponentialBackoff({ initialMs: 250, maxMs: 15_000 });
  const closing = new AbortController();
  let attempts = 0;
  const manager = connect(undefined, {
    heartbeatIntervalInSeconds: options.heartbeatSeconds,
    reconnectTimeInSeconds: 0.01,
    findServers: async () => {
      if (attempts++ > 0)
        await sleep(delays.next(), undefined, { signal: closing.signal }).catch(() => undefined);
      // Thrown, it ends this attempt; the library then sees that it is closed and stops.
      if (closing.signal.aborted) throw new Error('closing');
      return [options.url];
    },
    connectionOptions: {
      timeout: 5000,
      clientProperties: { connection_name: options.connectionName },
    },
  });
  manager.on('connect', () => {
    attempts = 0;
    delays.reset();
  });
  const close = manager.close.bind(manager);
  manager.close = async () => {
    closing.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      close(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
  };
  return manager;
}
