import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** How the receiver answers one request. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow endpoint). */
  delayMs?: number;
}

/** One request the receiver got. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The answer it got (its status; a slow answer may have come after the sender gave up). */
  status: number;
  receivedAt: number;
}

/**
 * A webhook receiver: a plain `node:http` server that records every request and answers per path from a script
 * (500 three times then 200, 410, slowly, a redirect…). Signatures are verified with the `standardwebhooks`
 * package, an implementation of the spec other than ours, exactly as a receiver would.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly scripts = new Map<string, Answer[]>();
  private readonly defaults = new Map<string, Answer>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const receiver: WebhookReceiver = new WebhookReceiver(
      createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const path = request.url ?? '/';
          const answer = receiver.next(path);
          receiver.received.push({
            path,
            headers: request.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            status: answer.status,
            receivedAt: Date.now(),
          });
          const send = () => {
            if (response.destroyed) return;
            response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
            response.end(`answered ${answer.status}`);
          };
          if (answer.delayMs) setTimeout(send, answer.delayMs);
          else send();
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** The URL of a path on this receiver. */
  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** The next requests to `path` get these answers, in order; after them, `then` (200 unless set). */
  script(path: string, answers: Answer[], then: Answer = { status: 200 }): void {
    this.scripts.set(path, [...answers]);
    this.defaults.set(path, then);
  }

  /** Requests to `path`, oldest first. */
  at(path: string): ReceivedWebhook[] {
    return this.received.filter((request) => request.path === path);
  }

  /** The JSON payload of a request. */
  static payload(request: ReceivedWebhook): {
    type: string;
    timestamp: string;
    data: Record<string, unknown>;
  } {
    return JSON.parse(request.body) as { type: string; timestamp: string; data: Record<string, unknown> };
  }

  /** Whether `secret` verifies the request's signature (standardwebhooks: also checks the timestamp's age). */
  static verifies(request: ReceivedWebhook, secret: string): boolean {
    try {
      new Webhook(secret).verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      });
      return true;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private next(path: string): Answer {
    return this.scripts.get(path)?.shift() ?? this.defaults.get(path) ?? { status: 200 };
  }
}
