import { exponentialBackoff } from '@app/resilience';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';

/**
 * Holds one dedicated connection that LISTENs on a channel and calls `onNotify` for each NOTIFY. Reconnects
 * with backoff when the connection drops. Only an accelerator: whoever uses it must still poll, since
 * notifications sent while it was disconnected are gone.
 */
export class PgNotificationListener {
  private readonly logger = new Logger(PgNotificationListener.name);
  private readonly delays = exponentialBackoff({ initialMs: 500, maxMs: 15_000 });
  private client?: Client;
  private started = false;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly onNotify: () => void,
  ) {}

  /** Idempotent: one connection, however often it is called. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    // A reconnect timer that fired as stop() was called: the process may be tearing down.
    if (this.stopped) return;
    const client = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5000 });
    client.on('notification', () => this.onNotify());
    client.on('error', () => this.scheduleReconnect(client));
    client.on('end', () => this.scheduleReconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.delays.reset();
      // Whatever was notified while we were away is picked up by polling; wake once to catch up now.
      this.onNotify();
    } catch (error) {
      this.logger.debug(`LISTEN ${this.channel} failed: ${(error as Error).message}`);
      this.scheduleReconnect(client);
    }
  }

  private scheduleReconnect(client: Client): void {
    if (this.stopped || client.listenerCount('notification') === 0) return;
    client.removeAllListeners('notification');
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.client === client) this.client = undefined;
    this.reconnectTimer = setTimeout(() => void this.connect(), this.delays.next());
  }
}
