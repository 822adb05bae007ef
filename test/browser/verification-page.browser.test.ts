import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { get } from 'node:http';
import type { Page } from 'playwright-core';
import { ChromiumPage, openChromium } from '../support/chromium';
import { startApi, startWorker } from '../support/apps';
import { TestSmtpServer, verificationLinkOf } from '../support/smtp-server';
import {
  createTestEnvironment,
  eventually,
  TEST_ADMIN_TOKEN,
  TestEnvironment,
} from '../support/test-environment';
import { freePort } from '../support/worker-process';

/**
 * The verification link as a user meets it: the worker mails it (through a real SMTP server in the test) with
 * PUBLIC_BASE_URL pointing at the API, the user opens it in a real Chromium and presses the button. Opening the
 * page changes nothing; pressing confirms.
 */
describe('the verification page in a browser', () => {
  let env: TestEnvironment;
  let smtp: TestSmtpServer;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let browser: ChromiumPage;
  let page: Page;
  let baseUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    smtp = await TestSmtpServer.start();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const settings = { SMTP_URL: smtp.url, PUBLIC_BASE_URL: baseUrl };
    worker = await startWorker(env.config(settings));
    api = await startApi(env.config(settings));
    await api.listen(port, '127.0.0.1');
    browser = await openChromium('verification-page', pageErrors);
    page = browser.page;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await worker?.close();
    await smtp?.stop();
    await env?.cleanup();
  });

  const userStatus = async (id: string) =>
    (
      await api.inject({
        method: 'GET',
        url: `/users/${id}`,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      })
    ).json<{ status: string }>().status;

  const registerAndReadMail = async () => {
    const email = `page.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
    const response = await api.inject({
      method: 'POST',
      url: '/users',
      payload: { email, password: 'a long and unusual passphrase', firstName: 'Ada', lastName: 'Lovelace' },
    });
    const { id } = response.json<{ id: string }>();
    const [mail] = await eventually(
      async () => (smtp.mailsTo(email).length ? smtp.mailsTo(email) : undefined),
      {
        what: `the mail to ${email}`,
      },
    );
    return { id, link: verificationLinkOf(mail).url };
  };

  it('when the link is opened, then nothing changes; when the button is pressed, then the user is active and the page says so', async () => {
    const { id, link } = await registerAndReadMail();
    expect(link.origin).toBe(baseUrl);

    await page.goto(link.toString());
    await page.getByRole('button', { name: 'Confirm my email address' }).waitFor();

    expect(await userStatus(id)).toBe('pending_verification');
    // The token is gone from the address bar once the page has read it.
    expect(new URL(page.url()).search).toBe('');

    await page.getByRole('button', { name: 'Confirm my email address' }).click();

    await page.getByText('Thank you: your email address is confirmed.').waitFor();
    expect(await userStatus(id)).toBe('active');
    expect(pageErrors).toEqual([]);
  });

  it('when a used link is opened again and pressed, then the page says the address is confirmed already', async () => {
    const { link } = await registerAndReadMail();
    await page.goto(link.toString());
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await page.getByText('Thank you').waitFor();

    await page.goto(link.toString());
    await page.getByRole('button', { name: 'Confirm my email address' }).click();

    await page.getByText('This link was used already: your address is confirmed.').waitFor();
  });

  it('when the page is fetched without a browser, then it is served with the API security headers and no inline script', async () => {
    const response = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) =>
        get(`${baseUrl}/verify-email?token=x`, (answer) => {
          let body = '';
          answer.setEncoding('utf8');
          answer.on('data', (chunk: string) => (body += chunk));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers, body }));
        }).on('error', reject),
    );

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(String(response.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(response.body).not.toMatch(/<script>(?!<\/script>)/);
    expect(response.body).toContain('<script src="/verify-email/page.js"></script>');
  });
});
