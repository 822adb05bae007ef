import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startApi, startWorker } from '../support/apps';
import { TestSmtpServer } from '../support/smtp-server';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';

const BACKLOG = 30;
const REFUSED = 3;

/**
 * A backlog of verification mails is taken in batches: the tokens of a batch issued in one transaction, its mails
 * sent side by side over real SMTP, the sent ones recorded in one transaction. A mail the SMTP server refuses
 * (451, transient) goes on by itself, with its retry policy, under the same Message-ID and link. Every user gets
 * exactly one mail (the refused attempts were not delivered) and completes onboarding.
 */
describe('send-verification-email in batches, end to end', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication | undefined;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    env = await createTestEnvironment();
    smtp = await TestSmtpServer.start();
    const config = env.config({ RETRY_INITIAL_DELAY_MS: '100', SMTP_URL: smtp.url });
    // The worker declares its queues, then stops: the registrations wait in the queue as a backlog.
    await (await startWorker(config)).close();
    api = await startApi(config);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await smtp?.stop();
    await env?.cleanup();
  });

  it('when a backlog of mails is drained and the SMTP server refuses some, then every user gets one mail and mail batches were committed', async () => {
    const emails: string[] = [];
    for (let index = 0; index < BACKLOG; index++) {
      const email = `mail.batch.${index}@example.com`;
      const response = await api.inject({
        method: 'POST',
        url: '/users',
        payload: { email, password: 'correct horse battery staple', firstName: 'Ada', lastName: 'Lovelace' },
      });
      expect(response.statusCode).toBe(201);
      emails.push(email);
    }
    smtp.refuse(451, 'try again later', REFUSED);

    worker = await startWorker(env.config({ RETRY_INITIAL_DELAY_MS: '100', SMTP_URL: smtp.url }));

    await eventually(
      async () =>
        (await env.query(`SELECT 1 FROM users WHERE onboarding_status = 'completed'`)).length === BACKLOG,
      { what: 'every user onboarded', timeoutMs: 30_000 },
    );
    expect(smtp.refused).toHaveLength(REFUSED);
    for (const email of emails) expect(smtp.mailsTo(email)).toHaveLength(1);
    expect(new Set(smtp.received.map((mail) => mail.messageId)).size).toBe(BACKLOG);
    // Each mail's unit completed once; a refused one has its failed attempt recorded before it.
    const units = await env.query<{ status: string; attempts: number }>(
      `SELECT status, attempts FROM onboarding_steps WHERE step = 'send-verification-email'`,
    );
    expect(units).toHaveLength(BACKLOG);
    expect(units.every((unit) => unit.status === 'completed')).toBe(true);
    const [tokens] = await env.query<{ unsent: number; sealed: number }>(
      `SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent,
              count(*) FILTER (WHERE token_ciphertext IS NOT NULL)::int AS sealed
       FROM verification_tokens`,
    );
    expect(tokens).toEqual({ unsent: 0, sealed: 0 });

    const metrics = (await worker.inject({ method: 'GET', url: '/metrics' })).body;
    const committed = metrics
      .split('\n')
      .find(
        (line) =>
          line.startsWith('onboarding_message_batch_size_count{') &&
          line.includes('handler="send-verification-email"') &&
          line.includes('outcome="committed"'),
      );
    expect(Number(committed?.split(' ').pop() ?? 0)).toBeGreaterThan(0);
  });
});
