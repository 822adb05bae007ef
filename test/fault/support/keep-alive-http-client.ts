import { connect, Socket } from 'node:net';

/**
 * One HTTP/1.1 connection kept alive, as a load balancer, an ingress or a metrics scraper keeps it: requests
 * are written by hand, so the test knows exactly when one is under way, and the connection stays open after
 * the response (until the server closes it, or the test does).
 */
export class KeepAliveHttpClient {
  private received = '';
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly port: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.received += chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<KeepAliveHttpClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new KeepAliveHttpClient(socket, port);
  }

  /** Writes one request (a JSON body when given); see {@link statusLine} for its answer. */
  send(method: string, path: string, body?: object): void {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const head = [
      `${method} ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${this.port}`,
      'Connection: keep-alive',
      ...(body === undefined ? [] : ['Content-Type: application/json']),
      `Content-Length: ${Buffer.byteLength(payload)}`,
    ];
    this.socket.write(`${head.join('\r\n')}\r\n\r\n${payload}`);
  }

  /** Waits for the response's status line (or '' if none comes in time or the connection closes first). */
  async statusLine(timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.received.includes('\r\n') && !this.closed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.received.includes('\r\n') ? this.received.slice(0, this.received.indexOf('\r\n')) : '';
  }

  /** The response body received so far (after the head). */
  get body(): string {
    const start = this.received.indexOf('\r\n\r\n');
    return start < 0 ? '' : this.received.slice(start + 4);
  }

  close(): void {
    this.socket.destroy();
  }
}
