import { exponentialBackoff } from '@app/resilience';
import { AmqpConnectionManager, connect } from 'amqp-connection-manager';

export interface AmqpConnectOptions {
  url: string;
  heartbeatSeconds: number;
  /** Shown in the broker's management UI, to tell the API's and the worker's connections apart. */
  connectionName: string;
}

/**
 * An auto-reconnecting connection whose reconnects back off exponentially with jitter (the library itself only
 * knows a fixed interval): `findServers` is asked before every attempt, so it is where the wait happens.
 */
export function connectWithBackoff(options: AmqpConnectOptions): AmqpConnectionManager {
  const delays = exponentialBackoff({ initialMs: 250, maxMs: 15_000 });
  let attempts = 0;
  const manager = connect(undefined, {
    heartbeatIntervalInSeconds: options.heartbeatSeconds,
    reconnectTimeInSeconds: 0.01,
    findServers: async () => {
      if (attempts++ > 0) await new Promise((resolve) => setTimeout(resolve, delays.next()));
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
  return manager;
}
