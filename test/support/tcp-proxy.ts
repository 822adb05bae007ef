import { createServer, Server, Socket, connect } from 'node:net';

/**
 * A TCP proxy the test controls, to take a dependency "down" for one app without touching the shared server:
 * `cut()` drops every connection and refuses new ones; `restore()` accepts again on the same port.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(targetUrl: string): Promise<TcpProxy> {
    const url = new URL(targetUrl);
    const defaultPort = url.protocol.startsWith('amqp') ? 5672 : 5432;
    const proxy = new TcpProxy(url.hostname, Number(url.port || defaultPort));
    await proxy.restore();
    return proxy;
  }

  /** The target URL with host and port replaced by the proxy's. */
  rewrite(targetUrl: string): string {
    const url = new URL(targetUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Kills every open connection (both directions) and stops accepting new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Stops forwarding on every open connection, both ways, without closing anything: whatever is sent now gets
   * no answer (a broker that has stopped confirming, a hung network). `resume()` forwards again.
   */
  stall(): void {
    for (const socket of this.sockets) socket.pause();
  }

  resume(): void {
    for (const socket of this.sockets) socket.resume();
  }

  /** Drops the open connections but keeps accepting (a network blip). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}
