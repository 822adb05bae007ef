import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { LogCapture, startApi, startWorker } from '../support/apps';
import { ReceivedMail, TestSmtpServer, verificationLinkOf } from '../support/smtp-server';
import {
  createTestEnvironment,
  eventually,
  TEST_ADMIN_TOKEN,
  TestEnvironment,
} from '../support/test-environment';

interface StepView {
  step: string;
  unit: string;
  status: string;
  attempts: number;
  lastError: string | null;
  skippedReason: string | null;
  required: boolean;
}

interface TimelineView {
  onboardingStatus: string;
  failedStep: string | null;
  steps: StepView[];
  deadLetters: { messageId: string; errorCode: string; errorMessage: string; status: string }[];
}

const RESEND_INTERVAL_MS = 1500;

/**
 * Email verification end to end: the API and the worker in-process, the worker mailing through a real SMTP server
 * the test runs (and tells to accept, defer with 4xx, or reject with 5xx). Retries are quick: the mail step's own
 * policy (more attempts, steeper growth) over a 100 ms initial wait.
 */
describe('email verification over SMTP, end to end', () => {
  let env: TestEnvironment;
  let smtp: TestSmtpServer;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  const workerLogs = new LogCapture();

  beforeAll(async () => {
    env = await createTestEnvironment();
    smtp = await TestSmtpServer.start();
    const settings = {
      RETRY_INITIAL_DELAY_MS: '100',
      RETRY_MAX_DELAY_MS: '1000',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Onboarding <onboarding@example.test>',
      PUBLIC_BASE_URL: 'https://app.example.test',
      VERIFICATION_RESEND_INTERVAL: `${RESEND_INTERVAL_MS}ms`,
    };
    worker = await startWorker(env.config({ ...settings, LOG_LEVEL: 'info' }), { logs: workerLogs });
    api = await startApi(env.config(settings));
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await smtp?.stop();
    await env?.cleanup();
  });

  beforeEach(() => smtp.accept());

  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  const register = async () => {
    const email = `verify.${randomUUID()}@example.com`;
    const response = await api.inject({
      method: 'POST',
      url: '/users',
      payload: { email, password: 'a long and unusual passphrase', firstName: 'Ada', lastName: 'Lovelace' },
    });
    expect(response.statusCode).toBe(201);
    return { id: response.json<{ id: string }>().id, email };
  };

  const timeline = async (userId: string) =>
    (
      await api.inject({ method: 'GET', url: `/users/${userId}/onboarding`, headers: admin })
    ).json<TimelineView>();

  const stepOf = (view: TimelineView, step: string, unit = '') =>
    view.steps.find((candidate) => candidate.step === step && candidate.unit === unit);

  const waitForTimeline = (userId: string, wanted: (view: TimelineView) => boolean, what: string) =>
    eventually(
      async () => {
        const view = await timeline(userId);
        return wanted(view) ? view : undefined;
      },
      { timeoutMs: 20_000, what },
    );

  const mailOf = (email: string, count = 1) =>
    eventually(async () => (smtp.mailsTo(email).length >= count ? smtp.mailsTo(email) : undefined), {
      timeoutMs: 20_000,
      what: `${count} mail(s) to ${email}`,
    });

  const verify = (token: string) =>
    api.inject({ method: 'POST', url: '/users/verify-email', payload: { token } });

  it('when a user registers, then a mail arrives with a link whose token verifies the user', async () => {
    const { id, email } = await register();

    const [mail] = await mailOf(email);
    const view = await waitForTimeline(id, (v) => v.onboardingStatus === 'completed', 'onboarding completed');

    expect(mail).toMatchObject({
      from: expect.stringContaining('onboarding@example.test'),
      subject: 'Confirm your email address',
      messageId: expect.stringMatching(/^<[0-9a-f-]+\.verification@example\.test>$/),
    });
    const { url, token } = verificationLinkOf(mail);
    expect(url.origin + url.pathname).toBe('https://app.example.test/verify-email');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(mail.html).toContain(url.toString().replace(/&/g, '&#38;'));
    expect(stepOf(view, 'send-verification-email')).toMatchObject({ status: 'completed', attempts: 1 });

    const verified = await verify(token);

    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toMatchObject({ id, status: 'active', verificationMethod: 'token' });
    expect((await verify(token)).statusCode).toBe(410);
    const metrics = (await api.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('onboarding_verifications_total{method="token",app="api"} 1\n');
    // The token travels in the mail and nowhere else: not in the worker's logs, not in any outbox message.
    expect(workerLogs.text).not.toContain(token);
    const leaks = await env.query('SELECT 1 FROM outbox_messages WHERE payload::text LIKE $1', [
      `%${token}%`,
    ]);
    expect(leaks).toEqual([]);
  });

  it('when the SMTP server defers three times with 4xx, then the mail is sent once, after four attempts, and provisioning ran once', async () => {
    smtp.refuse(451, '4.7.1 Greylisted, try again later', 3);
    const refusedBefore = smtp.refused.length;
    const { id, email } = await register();

    const mails = await mailOf(email);
    const view = await waitForTimeline(id, (v) => v.onboardingStatus === 'completed', 'onboarding completed');

    expect(smtp.refused.length - refusedBefore).toBe(3);
    expect(mails).toHaveLength(1);
    expect(stepOf(view, 'send-verification-email')).toMatchObject({ status: 'completed', attempts: 4 });
    expect(stepOf(view, 'provision-account')).toMatchObject({ status: 'completed', attempts: 1 });
    // Each retry issued no new token: the one mail's link works.
    expect((await verify(verificationLinkOf(mails[0]).token)).statusCode).toBe(200);
  });

  it('when the SMTP server rejects with 5xx, then the mail step is dead-lettered with its reply, the onboarding fails naming it, and a retry after the fix completes it', async () => {
    smtp.refuse(550, '5.1.1 Mailbox unavailable');
    const { id, email } = await register();

    const failed = await waitForTimeline(id, (v) => v.onboardingStatus === 'failed', 'onboarding failed');

    expect(failed.failedStep).toBe('send-verification-email');
    expect(stepOf(failed, 'send-verification-email')).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringMatching(/^MAIL_REJECTED: .*550.*Mailbox unavailable/),
    });
    expect(stepOf(failed, 'provision-account')).toMatchObject({ status: 'completed', attempts: 1 });
    const deadLetter = await eventually(
      async () => (await timeline(id)).deadLetters.find((letter) => letter.errorCode === 'MAIL_REJECTED'),
      { what: 'the mail step in the ledger' },
    );
    expect(deadLetter.errorMessage).toContain('5.1.1 Mailbox unavailable');
    expect(smtp.mailsTo(email)).toEqual([]);

    smtp.accept();
    const retry = await api.inject({
      method: 'POST',
      url: `/users/${id}/onboarding/steps/send-verification-email/retry`,
      headers: admin,
    });

    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toMatchObject({ step: 'send-verification-email', retried: [{ status: 'pending' }] });
    const [mail] = await mailOf(email);
    const done = await waitForTimeline(id, (v) => v.onboardingStatus === 'completed', 'onboarding completed');
    expect(done.failedStep).toBeNull();
    expect(stepOf(done, 'send-verification-email')).toMatchObject({ status: 'completed', attempts: 2 });
    expect((await verify(verificationLinkOf(mail).token)).statusCode).toBe(200);
    // Nothing failed is left to retry.
    const again = await api.inject({
      method: 'POST',
      url: `/users/${id}/onboarding/steps/send-verification-email/retry`,
      headers: admin,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'STEP_NOT_FAILED' });
  });

  it('when the user is erased while the mail step waits for a retry, then no mail is sent after the erasure, and the step is recorded as skipped', async () => {
    smtp.refuse(421, '4.3.2 Service not available, closing channel');
    const { id, email } = await register();
    await waitForTimeline(
      id,
      (v) => (stepOf(v, 'send-verification-email')?.attempts ?? 0) >= 1,
      'the first failed mail attempt',
    );

    const erased = await api.inject({ method: 'DELETE', url: `/users/${id}`, headers: admin });
    const erasedAt = Date.now();
    expect(erased.statusCode).toBe(204);
    smtp.accept();

    const view = await waitForTimeline(
      id,
      (v) => stepOf(v, 'send-verification-email')?.status === 'skipped',
      'the mail step skipped',
    );
    expect(stepOf(view, 'send-verification-email')?.skippedReason).toBe('the user was erased');
    // The address is the erased user's no more: nothing reached it, and nothing reached anyone after the erasure
    // on this user's behalf.
    expect(smtp.mailsTo(email)).toEqual([]);
    expect(
      smtp.received.filter((mail: ReceivedMail) => mail.receivedAt >= erasedAt && mail.to === email),
    ).toEqual([]);
  });

  it('when a resend is asked twice within the interval, then one new mail goes out, whose token supersedes the first', async () => {
    const { id, email } = await register();
    const [first] = await mailOf(email);
    await waitForTimeline(id, (v) => v.onboardingStatus === 'completed', 'onboarding completed');
    // Registration counts as the first request: let the interval pass once.
    await new Promise((resolve) => setTimeout(resolve, RESEND_INTERVAL_MS + 100));

    const resends = await Promise.all(
      [1, 2].map(() => api.inject({ method: 'POST', url: '/users/verify-email/resend', payload: { email } })),
    );

    expect(resends.map((response) => response.statusCode)).toEqual([202, 202]);
    const mails = await mailOf(email, 2);
    const view = await waitForTimeline(
      id,
      (v) =>
        v.steps.some(
          (step) =>
            step.step === 'send-verification-email' && step.unit !== '' && step.status === 'completed',
        ),
      'the resent mail recorded',
    );
    // No third mail: wait for the resend unit to be recorded, then count.
    expect(smtp.mailsTo(email)).toHaveLength(2);
    expect(view.steps.filter((step) => step.step === 'send-verification-email')).toEqual([
      expect.objectContaining({ unit: '', required: true, status: 'completed' }),
      expect.objectContaining({ required: false, status: 'completed' }),
    ]);
    expect(view.onboardingStatus).toBe('completed');
    expect(mails[1].messageId).not.toBe(first.messageId);
    expect((await verify(verificationLinkOf(first).token)).json()).toMatchObject({
      code: 'VERIFICATION_TOKEN_SUPERSEDED',
    });
    expect((await verify(verificationLinkOf(mails[1]).token)).statusCode).toBe(200);
  });
});
