import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerDataStream } from 'smtp-server';

/** A mail the server accepted, decoded. */
export interface ReceivedMail {
  messageId: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: number;
}

/** The link a verification mail carries, and its token. */
export function verificationLinkOf(mail: ReceivedMail): { url: URL; token: string } {
  const match = /https?:\/\/\S+\/verify-email\?token=[A-Za-z0-9_-]+/.exec(mail.text);
  if (!match) throw new Error(`no verification link in:\n${mail.text}`);
  const url = new URL(match[0]);
  return { url, token: url.searchParams.get('token')! };
}

/**
 * A real SMTP server (the `smtp-server` package) in the test process, that the worker sends to over TCP. It
 * accepts by default; the test can make it answer 4xx or 5xx to the next mails, or answer slowly. Plain SMTP
 * without STARTTLS or AUTH, on a free port of 127.0.0.1.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Mails refused so far (each an attempt the worker made). */
  readonly refused: { to: string; code: number }[] = [];
  private refusal?: { code: number; message: string; remaining: number };
  private delayMs = 0;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<TestSmtpServer> {
    // The handler needs the instance, which needs the server's port: filled in once it listens.
    const holder: { instance?: TestSmtpServer } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        void holder.instance!.onData(stream, session.envelope.rcptTo[0]?.address ?? '', callback);
      },
    });
    // A client that goes away mid-mail (a worker killed by a fault test) is an error of the server's: expected.
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
    holder.instance = new TestSmtpServer(server, port);
    return holder.instance;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Answers the next `times` mails (all of them, by default) with `code` and `message` instead of accepting. */
  refuse(code: number, message: string, times = Number.POSITIVE_INFINITY): void {
    this.refusal = { code, message, remaining: times };
  }

  accept(): void {
    this.refusal = undefined;
  }

  /** Holds each answer to DATA back for `ms` (a slow server: the mail is on its way for that long). */
  slowDown(ms: number): void {
    this.delayMs = ms;
  }

  mailsTo(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.toLowerCase() === address.toLowerCase());
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onData(
    stream: SMTPServerDataStream,
    to: string,
    callback: (error?: Error | null) => void,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    } catch {
      // The client went away mid-mail (a worker killed by a fault test): nothing was received.
      return;
    }
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const refusal = this.refusal;
    if (refusal && refusal.remaining > 0) {
      refusal.remaining -= 1;
      this.refused.push({ to, code: refusal.code });
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      return;
    }
    const mail = await simpleParser(Buffer.concat(chunks));
    this.received.push({
      messageId: mail.messageId ?? '',
      to,
      from: mail.from?.text ?? '',
      subject: mail.subject ?? '',
      text: mail.text ?? '',
      html: typeof mail.html === 'string' ? mail.html : '',
      receivedAt: Date.now(),
    });
    callback();
  }
}
