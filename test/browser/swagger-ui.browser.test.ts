import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Page } from 'playwright-core';
import { ChromiumPage, openChromium } from '../support/chromium';
import { startApi } from '../support/apps';
import { createTestEnvironment, TEST_ADMIN_TOKEN, TestEnvironment } from '../support/test-environment';
import { type OpenApiDocument, operationsOf } from '../openapi/support/openapi-operations';

/**
 * Swagger UI as a new user meets it, in a real Chromium: open /docs, authorize with the admin token, then
 * "Try it out" and "Execute" every operation of /docs-json with the defaults the page fills in. Each answer
 * shown must have a status the document declares for that operation, and the page must run under the API's
 * Content-Security-Policy without a violation.
 */
describe('Swagger UI in a browser', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  let browser: ChromiumPage;
  let page: Page;
  let baseUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startApi(env.config());
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    browser = await openChromium('swagger-ui', pageErrors);
    page = browser.page;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await env?.cleanup();
  });

  it('when every operation is executed from Swagger UI with its defaults, then each shows a status its document declares', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs-json' })).json<OpenApiDocument>();
    const operations = operationsOf(document);
    await page.goto(`${baseUrl}/docs`);
    await page.locator('.swagger-ui .information-container').waitFor();

    await page.locator('.auth-wrapper .authorize').click();
    await page
      .locator('.modal-ux input[type=text], .modal-ux input[type=password]')
      .first()
      .fill(TEST_ADMIN_TOKEN);
    await page.locator('.modal-ux .auth-btn-wrapper .authorize').click();
    await page.locator('.modal-ux .btn-done').click();

    const outcomes: { operation: string; shown: string; declared: string[] }[] = [];
    for (const { method, path, operation } of operations) {
      const block = page.locator(
        `[id="operations-${operation.tags?.[0] ?? 'default'}-${operation.operationId}"]`,
      );
      await block.locator('.opblock-summary').first().click();
      await block.locator('.try-out__btn').click();
      await block.locator('.execute').click();
      const status = block.locator('.live-responses-table .response .response-col_status').first();
      await status.waitFor({ timeout: 20_000 });
      const shown = (await status.innerText()).trim().split(/\s/)[0] ?? '';
      outcomes.push({ operation: `${method} ${path}`, shown, declared: Object.keys(operation.responses) });
      await block.locator('.opblock-summary').first().click();
    }

    expect(operations.length).toBeGreaterThanOrEqual(10);
    expect(outcomes.filter((outcome) => !outcome.declared.includes(outcome.shown))).toEqual([]);
    expect(pageErrors.filter((message) => /Content Security Policy|Refused to/i.test(message))).toEqual([]);
  }, 180_000);
});
