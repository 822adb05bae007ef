import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { ChromiumPage, openChromium } from '../support/chromium';
import { startApi, startWorker } from '../support/apps';
import {
  createTestEnvironment,
  eventually,
  TEST_ADMIN_TOKEN,
  TestEnvironment,
} from '../support/test-environment';
import { WebhookReceiver } from '../support/webhook-receiver';

/** `CONSOLE_SCREENSHOTS=docs` saves a PNG of each page there (`npm run docs:screenshots`); unset, none is taken. */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS;
const ROOT = resolve(__dirname, '../..');
const TOKEN_KEY = 'onboarding-console.admin-token';
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const HOUR = 3_600_000;

/** The page's globals read in `page.evaluate` (the tests compile without the DOM library; casts vanish). */
interface PageGlobals {
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  localStorage: { length: number };
  document: { cookie: string };
  location: { href: string };
}

/**
 * The operator console in Debian's Chromium, against the API (listening on a real port) and the worker, both
 * in-process on the real PostgreSQL and RabbitMQ. The console is built first, exactly as `npm run build` builds
 * it. Steps are made to fail on purpose by a trigger (as in test/e2e/dead-letters.e2e.test.ts): provision-account
 * for users whose email starts with `broken.`, the verification mail for `mailbroken.`; retries are quick (one
 * retry after ~100 ms; the mail step's ten attempts within two seconds). A user is "repaired" by changing its
 * email, then replayed through the console. Webhooks go to a plain HTTP receiver on 127.0.0.1 (private networks
 * allowed for it), which verifies their signatures with the `standardwebhooks` package.
 */
describe('operator console in a browser', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let receiver: WebhookReceiver;
  let browser: ChromiumPage;
  let page: Page;
  let baseUrl: string;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    // Always a fresh build of the sources under test (a second or so), into dist/console where the API reads it.
    execFileSync('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: 'pipe' });
    env = await createTestEnvironment();
    // The mail step's own policy makes 10 attempts: capped at 200 ms apart, that is two seconds.
    const quickRetries = {
      RETRY_INITIAL_DELAY_MS: '100',
      RETRY_MAX_DELAY_MS: '200',
      RETRY_MAX_ATTEMPTS: '2',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    };
    await env.query(`
      CREATE FUNCTION test_break_onboarding() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'completed' AND (
             (NEW.step = 'provision-account'
              AND EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND email LIKE 'broken.%'))
          OR (NEW.step = 'send-verification-email'
              AND EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND email LIKE 'mailbroken.%'))) THEN
          RAISE EXCEPTION '% is down for user %', NEW.step, NEW.user_id;
        END IF;
        RETURN NEW;
      END $$`);
    await env.query(`
      CREATE TRIGGER test_break_onboarding BEFORE INSERT OR UPDATE ON onboarding_steps
      FOR EACH ROW EXECUTE FUNCTION test_break_onboarding()`);
    receiver = await WebhookReceiver.start();
    worker = await startWorker(env.config(quickRetries));
    api = await startApi(env.config(quickRetries));
    await api.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}`;
    if (SCREENSHOTS) mkdirSync(join(ROOT, SCREENSHOTS), { recursive: true });
    browser = await openChromium('console', pageErrors, { viewport: { width: 1280, height: 860 } });
    page = browser.page;
    page.on('request', (request) => {
      if (!request.url().startsWith(`${baseUrl}/`)) foreignRequests.push(request.url());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await worker?.close();
    await receiver?.stop();
    await env?.cleanup();
  });

  const screenshot = async (name: string) => {
    if (SCREENSHOTS)
      await page.screenshot({ path: join(ROOT, SCREENSHOTS, `console-${name}.png`), fullPage: true });
  };

  const signIn = async () => {
    await page.getByLabel('Admin token').fill(TEST_ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Sections' }).waitFor();
  };

  const open = async (section: 'Funnel' | 'Users' | 'Dead letters' | 'Webhooks') =>
    page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: section }).click();

  const register = async (prefix: string) => {
    const email = `${prefix}.${randomUUID()}@example.com`;
    const response = await api.inject({
      method: 'POST',
      url: '/users',
      payload: { email, password: 'correct horse battery staple', firstName: 'Ada', lastName: 'Lovelace' },
    });
    expect(response.statusCode).toBe(201);
    return { id: response.json<{ id: string }>().id, email };
  };

  const onboardingOf = async (userId: string) =>
    (await api.inject({ method: 'GET', url: `/users/${userId}`, headers: admin })).json<{
      onboardingStatus: string;
    }>().onboardingStatus;

  const waitForOnboarding = (userId: string, status: string) =>
    eventually(async () => (await onboardingOf(userId)) === status, {
      what: `onboarding of ${userId} ${status}`,
    });

  const pendingDeadLetter = (userId: string) =>
    eventually(
      async () =>
        (
          await env.query<{ message_id: string }>(
            `SELECT message_id FROM dead_letters WHERE status = 'pending' AND payload->>'userId' = $1`,
            [userId],
          )
        )[0]?.message_id,
      { what: `a pending dead letter of ${userId}` },
    );

  const repair = (userId: string) =>
    env.query(`UPDATE users SET email = 'repaired.' || id || '@example.com' WHERE id = $1`, [userId]);

  it('when the console is opened without a token, then it asks for one, refuses a wrong one, keeps the right one in sessionStorage only, and a 401 brings the sign-in back', async () => {
    const response = await page.goto(`${baseUrl}/console`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await page.getByLabel('Admin token').waitFor();
    await screenshot('sign-in');

    await page.getByLabel('Admin token').fill('not-the-admin-token-000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('The API does not accept this token.').waitFor();
    expect(
      await page.evaluate(
        (key) => (globalThis as unknown as PageGlobals).sessionStorage.getItem(key),
        TOKEN_KEY,
      ),
    ).toBeNull();

    const funnelRequest = page.waitForRequest((request) => request.url().includes('/stats/funnel'));
    await signIn();
    expect((await funnelRequest).headers().authorization).toBe(`Bearer ${TEST_ADMIN_TOKEN}`);
    await page.getByRole('heading', { name: 'Onboarding funnel' }).waitFor();
    const stored = await page.evaluate((key) => {
      const { sessionStorage, localStorage, document, location } = globalThis as unknown as PageGlobals;
      return {
        session: sessionStorage.getItem(key),
        local: localStorage.length,
        cookies: document.cookie,
        url: location.href,
      };
    }, TOKEN_KEY);
    expect(stored).toEqual({ session: TEST_ADMIN_TOKEN, local: 0, cookies: '', url: expect.any(String) });
    expect(stored.url).not.toContain(TEST_ADMIN_TOKEN);

    // Asked once: a reload of the tab keeps it.
    await page.reload();
    await page.getByRole('heading', { name: 'Onboarding funnel' }).waitFor();

    // The token is revoked (here: replaced by one the API does not know): the next call answers 401.
    await page.evaluate(
      (key) => (globalThis as unknown as PageGlobals).sessionStorage.setItem(key, 'revoked-admin-token-0000'),
      TOKEN_KEY,
    );
    await open('Dead letters');
    await page.getByText('The API no longer accepts the token: sign in again.').waitFor();
    expect(
      await page.evaluate(
        (key) => (globalThis as unknown as PageGlobals).sessionStorage.getItem(key),
        TOKEN_KEY,
      ),
    ).toBeNull();
    await signIn();
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
  });

  it('when users registered, were verified and failed, then the funnel page shows their real counts', async () => {
    // Earlier hours of the day, written with their times: two onboarded (one verified since), one still pending.
    const history = async (hoursAgo: number, onboarding: 'completed' | 'pending', verified: boolean) => {
      const id = randomUUID();
      // Ten minutes into an hour, so that all of a user's events fall in that hour, wherever the browser is.
      const created = new Date(Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR + 10 * 60_000);
      await env.query(
        `INSERT INTO users (id, email, password_hash, first_name, last_name, created_at, email_verified_at,
           onboarding_status, status)
         VALUES ($1, $2, 'not-a-hash', 'Grace', 'Hopper', $3, $4, $5, $6)`,
        [
          id,
          `history.${id}@example.com`,
          created,
          verified ? new Date(created.getTime() + 60_000) : null,
          onboarding,
          verified ? 'active' : 'pending_verification',
        ],
      );
      const done = new Date(created.getTime() + 60_000);
      await env.query(
        `INSERT INTO onboarding_steps (user_id, step, unit, status, attempts, required, created_at, updated_at,
           completed_at)
         VALUES ($1, 'provision-account', '', 'completed', 1, true, $2, $3, $3),
                ($1, 'send-verification-email', '', $4, 1, true, $2, $3, $5)`,
        [id, created, done, onboarding, onboarding === 'completed' ? done : null],
      );
    };
    await history(9, 'completed', true);
    await history(5, 'completed', false);
    await history(3, 'pending', false);
    // And now, through the API and the worker: two onboard, one fails; an admin verifies one.
    const good = [await register('funnel'), await register('funnel')];
    const broken = await register('broken');
    for (const user of good) await waitForOnboarding(user.id, 'completed');
    await waitForOnboarding(broken.id, 'failed');
    const verified = await api.inject({
      method: 'POST',
      url: `/users/${good[0].id}/verify`,
      headers: admin,
    });
    expect(verified.statusCode).toBe(200);

    await open('Funnel');
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    const count = (name: string) => page.getByTestId(name).innerText();
    await page.getByTestId('cohort-registered').getByText('6', { exact: true }).waitFor();
    expect({
      registered: await count('cohort-registered'),
      verified: await count('cohort-verified'),
      onboarded: await count('cohort-onboarded'),
      failed: await count('cohort-failed'),
      pending: await count('cohort-pending'),
      events: {
        registered: await count('total-registered'),
        verified: await count('total-verified'),
        onboarded: await count('total-onboarded'),
        failed: await count('total-failed'),
      },
    }).toEqual({
      registered: '6',
      verified: '2',
      onboarded: '4',
      failed: '1',
      pending: '1',
      events: { registered: '6', verified: '2', onboarded: '4', failed: '1' },
    });
    // Registrations 9, 5 and 3 hours ago and now: four hours with activity.
    const rows = page.getByRole('table', { name: 'Hours with activity' }).locator('tbody tr');
    expect(await rows.count()).toBe(4);
    await page.getByRole('img', { name: /Funnel events per hour, 24 hours/ }).waitFor();
    await screenshot('funnel');
  });

  it('when a user whose mail step failed is searched by email, then its page tells its whole story, and a retry from it completes the user', async () => {
    const user = await register('mailbroken');
    await waitForOnboarding(user.id, 'failed');
    const messageId = await pendingDeadLetter(user.id);

    await open('Users');
    await page.getByLabel('Email or user id').fill(`nobody.${randomUUID()}@example.com`);
    await page.getByRole('button', { name: 'Find' }).click();
    await page
      .getByRole('status')
      .getByText(/No user has the email/)
      .waitFor();
    // Emails are compared as registration stores them: trimmed, lower-cased.
    await page.getByLabel('Email or user id').fill(`  ${user.email.toUpperCase()} `);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: user.email }).waitFor();
    expect(page.url()).toContain(`#/users/${user.id}`);
    expect(page.url()).not.toContain('example.com');

    await page.getByTestId('onboarding-status').getByText('failed').waitFor();
    const steps = page.getByRole('list', { name: 'Onboarding steps' });
    const provision = steps.locator('[data-step="provision-account"]');
    const mail = steps.locator('[data-step="send-verification-email"]');
    await provision.getByText('completed', { exact: true }).waitFor();
    await mail.getByText('failed', { exact: true }).waitFor();
    expect(await mail.innerText()).toMatch(
      /10 attempts[\s\S]*HANDLER_FAILED: .*send-verification-email is down/,
    );
    expect(await mail.getByRole('link', { name: messageId }).getAttribute('href')).toBe(
      `#/dead-letters/${messageId}`,
    );
    const letter = page.getByRole('article', { name: `Dead letter ${messageId}` });
    await letter.getByRole('table', { name: 'Occurrences' }).getByText('waiting').waitFor();
    await screenshot('user');

    await repair(user.id);
    await mail.getByRole('button', { name: 'Retry send-verification-email' }).click();
    await mail.getByRole('button', { name: 'Retry now' }).click();
    await page.getByText('send-verification-email: 1 unit(s) retried, pending again.').waitFor();
    // The page follows the onboarding by itself until nothing is pending.
    await page.getByTestId('onboarding-status').getByText('completed').waitFor({ timeout: 20_000 });
    await mail.getByText('completed', { exact: true }).waitFor();
    await letter.getByRole('table', { name: 'Occurrences' }).getByText('replayed').waitFor();
    expect(await onboardingOf(user.id)).toBe('completed');

    // By id, too.
    await open('Users');
    await page.getByLabel('Email or user id').fill(user.id);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: `repaired.${user.id}@example.com` }).waitFor();
  });

  it('when a user whose step was made to fail appears in the dead letters, then replaying it from the console completes the user', async () => {
    const user = await register('broken');
    const messageId = await pendingDeadLetter(user.id);

    await open('Dead letters');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const group = page.locator('tr[data-group="HANDLER_FAILED provision-account"]');
    await group.waitFor();
    await group.getByRole('button', { name: 'Show' }).click();
    await page
      .getByRole('table', { name: 'Dead letters of HANDLER_FAILED' })
      .getByRole('link', { name: messageId })
      .click();

    await page.getByRole('heading', { name: messageId }).waitFor();
    await page.getByTestId('dead-letter-status').getByText('pending').waitFor();
    const headers = page.getByRole('table', { name: 'Headers' });
    expect(await headers.innerText()).toMatch(/x-error-code\s+HANDLER_FAILED/);
    expect(await page.getByRole('region', { name: 'Body' }).locator('pre').first().innerText()).toContain(
      user.id,
    );
    await page.getByRole('table', { name: 'Occurrences' }).getByText('waiting').waitFor();
    await screenshot('dead-letter');

    await repair(user.id);
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.getByRole('button', { name: 'Replay now' }).click();
    await page.getByText('Replayed through the outbox: the worker runs it again.').waitFor();
    await page.getByTestId('dead-letter-status').getByText('replayed').waitFor();

    await page.getByRole('link', { name: "The user's story" }).click();
    await page.getByRole('heading', { name: `repaired.${user.id}@example.com` }).waitFor();
    await page.getByTestId('onboarding-status').getByText('completed').waitFor({ timeout: 20_000 });
    expect(await onboardingOf(user.id)).toBe('completed');
  });

  it('when a group of dead letters is replayed, then a dry run first lists exactly them and changes nothing, and the replay completes every user', async () => {
    const users = [await register('broken'), await register('broken'), await register('broken')];
    for (const user of users) await pendingDeadLetter(user.id);
    // The group is every pending HANDLER_FAILED letter of provision-account: these, and the funnel test's user.
    const expected = await env.query<{ message_id: string; user_id: string }>(
      `SELECT message_id, payload->>'userId' AS user_id FROM dead_letters
         WHERE status = 'pending' AND error_code = 'HANDLER_FAILED' AND routing_key = 'user.registered'
         ORDER BY dead_lettered_at, message_id`,
    );
    expect(expected.length).toBeGreaterThanOrEqual(3);

    await open('Dead letters');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const group = page.locator('tr[data-group="HANDLER_FAILED provision-account"]');
    await group.locator('td.number').first().getByText(String(expected.length), { exact: true }).waitFor();
    await group.getByRole('button', { name: 'Replay group…' }).click();
    const dryRun = page.getByRole('region', { name: 'Dry run' });
    await dryRun.getByText(`${expected.length} dead letters with`).waitFor();
    const listed = await dryRun
      .getByRole('list', { name: 'Would be replayed' })
      .getByRole('link')
      .allInnerTexts();
    expect(listed).toEqual(expected.map((row) => row.message_id));
    const stillPending = await env.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM dead_letters WHERE status = 'pending' AND message_id = ANY($1)`,
      [expected.map((row) => row.message_id)],
    );
    expect(stillPending[0].count).toBe(expected.length);
    await screenshot('dead-letters');

    for (const row of expected) await repair(row.user_id);
    await dryRun.getByRole('button', { name: `Replay ${expected.length} now` }).click();
    await page.getByText(`Replayed ${expected.length} dead letters of HANDLER_FAILED.`).waitFor();
    await group.waitFor({ state: 'detached' });
    for (const row of expected) await waitForOnboarding(row.user_id, 'completed');
  });

  it('when an endpoint is registered in the console, then its secret is shown once, a registration is delivered to it and logged, a redelivery sends the same webhook-id again, and its secret is rotated and it is deleted from the console', async () => {
    const path = `/console-hook/${randomUUID()}`;
    // The first attempt is refused for now (a transient 503), the retry delivered.
    receiver.script(path, [{ status: 503 }]);

    await open('Webhooks');
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    // The API's validation answers in the form.
    await page.getByLabel('URL', { exact: true }).fill('ftp://hooks.example.com/onboarding');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page
      .getByRole('form', { name: 'Register an endpoint' })
      .getByRole('alert')
      .getByText('url must be an absolute http(s) URL')
      .waitFor();
    await page.getByLabel('URL', { exact: true }).fill(receiver.url(path));
    await page.getByRole('checkbox', { name: 'user.verified' }).uncheck();
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const shown = page.getByRole('region', { name: 'Signing secret' });
    await shown.getByText('Copy it now: it is shown this once.').waitFor();
    const secret = await shown.getByLabel('Secret').inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const row = page.getByRole('table', { name: 'Webhook endpoints' }).locator('tr', { hasText: path });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/user\.registered[\s\S]*active/);
    expect(await row.innerText()).not.toContain('user.verified');
    const endpointId = (await row.getAttribute('data-endpoint')) ?? '';
    expect(endpointId).toMatch(/^[0-9a-f-]{36}$/);
    await row.getByText('none yet').waitFor();

    // A registration through the API: the worker delivers it (503, then 200), signed with that secret.
    const user = await register('webhook');
    const about = () =>
      receiver.at(path).filter((request) => WebhookReceiver.payload(request).data.id === user.id);
    const delivered = await eventually(async () => (about().length >= 2 ? about() : undefined), {
      timeoutMs: 20_000,
      what: `two requests at ${path}`,
    });
    expect(delivered.map((request) => request.status)).toEqual([503, 200]);
    expect(delivered.every((request) => WebhookReceiver.verifies(request, secret))).toBe(true);
    const webhookId = String(delivered[0].headers['webhook-id']);
    expect(delivered[1].headers['webhook-id']).toBe(webhookId);

    // Recorded once the worker has the answer, a moment after the receiver sent it.
    await eventually(
      async () =>
        (
          await env.query<{ status: string }>(`SELECT status FROM webhook_deliveries WHERE id = $1`, [
            webhookId,
          ])
        )[0]?.status === 'delivered',
      { what: `delivery ${webhookId} recorded as delivered` },
    );
    await page.getByRole('button', { name: 'Refresh' }).click();
    await row.getByText('delivered').waitFor();
    expect(await row.innerText()).toContain('HTTP 200');
    await screenshot('webhooks');
    await shown.getByRole('button', { name: 'I have stored it' }).click();
    await shown.waitFor({ state: 'detached' });

    await row.getByRole('link', { name: receiver.url(path) }).click();
    await page.getByRole('heading', { name: receiver.url(path) }).waitFor();
    expect(page.url()).toContain(`#/webhooks/${endpointId}`);
    expect(await page.content()).not.toContain(secret);
    const delivery = page.locator(`tr[data-delivery="${webhookId}"]`);
    await delivery.getByTestId('delivery-status').getByText('delivered').waitFor();
    expect((await delivery.locator('td').allInnerTexts()).slice(1, 6)).toEqual([
      'user.registered',
      `${user.id.slice(0, 8)}…`,
      'delivered',
      '2',
      '200',
    ]);
    await delivery.getByRole('button', { name: 'Attempts' }).click();
    const attempts = page.getByRole('table', { name: 'Attempts' });
    expect(await attempts.innerText()).toMatch(/2\s+delivered\s+200[\s\S]*1\s+retrying\s+503/);

    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    await page
      .getByRole('status')
      .getByText(
        `Redelivery of user.registered scheduled: pending again, with the same webhook-id ${webhookId}.`,
      )
      .waitFor();
    const again = await eventually(async () => (about().length >= 3 ? about()[2] : undefined), {
      timeoutMs: 20_000,
      what: `the redelivery at ${path}`,
    });
    expect(again.headers['webhook-id']).toBe(webhookId);
    expect(WebhookReceiver.verifies(again, secret)).toBe(true);
    // The log follows the redelivery by itself until it is settled.
    await delivery.locator('td.number').first().getByText('3', { exact: true }).waitFor({ timeout: 20_000 });
    await delivery.getByTestId('delivery-status').getByText('delivered').waitFor();
    await attempts.getByText('3', { exact: true }).waitFor();
    await screenshot('webhook');

    // The user's story links its delivery unit to this log, the delivery open.
    await delivery.getByRole('link', { name: `${user.id.slice(0, 8)}…` }).click();
    await page.getByRole('heading', { name: user.email }).waitFor();
    const unit = page
      .getByRole('list', { name: 'Onboarding steps' })
      .locator('[data-step="deliver-webhook"]');
    await unit.getByText('completed', { exact: true }).waitFor();
    await unit.getByRole('link', { name: "Its delivery in the endpoint's log" }).click();
    await page.getByRole('heading', { name: receiver.url(path) }).waitFor();
    expect(page.url()).toContain(`#/webhooks/${endpointId}/${webhookId}`);
    await page.getByRole('table', { name: 'Attempts' }).waitFor();

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('button', { name: 'Rotate now' }).click();
    const rotated = page.getByRole('region', { name: 'Signing secret' });
    await rotated.getByText('Copy it now: it is shown this once.').waitFor();
    const newSecret = await rotated.getByLabel('Secret').inputValue();
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);
    await page.getByText('previous secret signs until').first().waitFor();
    // Within the grace period a delivery is signed with both: a receiver may switch secrets at any time.
    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    const signedTwice = await eventually(async () => (about().length >= 4 ? about()[3] : undefined), {
      timeoutMs: 20_000,
      what: `the redelivery after the rotation at ${path}`,
    });
    expect(signedTwice.headers['webhook-id']).toBe(webhookId);
    expect(WebhookReceiver.verifies(signedTwice, newSecret)).toBe(true);
    expect(WebhookReceiver.verifies(signedTwice, secret)).toBe(true);
    // Secrets live in the page's memory only: never in the tab's storage, never in the URL.
    const kept = await page.evaluate(() => {
      const { sessionStorage, localStorage, location } = globalThis as unknown as PageGlobals & {
        sessionStorage: { length: number; key(index: number): string | null };
      };
      const keys = Array.from({ length: sessionStorage.length }, (_, index) => sessionStorage.key(index));
      return { keys, local: localStorage.length, url: location.href };
    });
    expect(kept).toEqual({ keys: [TOKEN_KEY], local: 0, url: expect.not.stringContaining('whsec') });

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('heading', { name: 'Endpoint deleted' }).waitFor();
    expect(await page.content()).not.toContain(newSecret);
    const gone = await api.inject({ method: 'GET', url: `/webhooks/${endpointId}`, headers: admin });
    expect(gone.statusCode).toBe(404);
    await open('Webhooks');
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No webhook endpoint is registered.').waitFor();
    expect(await page.locator(`tr[data-endpoint="${endpointId}"]`).count()).toBe(0);
  });

  it('when every page has been used, then nothing broke the Content-Security-Policy and nothing was loaded from elsewhere', () => {
    expect(pageErrors.filter((message) => /Content Security Policy|Refused to/i.test(message))).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
