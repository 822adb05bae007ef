import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const CHROMIUM = process.env.TEST_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A page in Debian's Chromium, headless, and the way to close it all (the browser and its profile). */
export interface ChromiumPage {
  page: Page;
  close(): Promise<void>;
}

/**
 * Starts Chromium on a fresh profile directory (`<name>-chromium-*` in the temporary directory) and opens a page
 * whose script errors and console errors are pushed into `pageErrors`.
 */
export async function openChromium(
  name: string,
  pageErrors: string[],
  { viewport }: { viewport?: { width: number; height: number } } = {},
): Promise<ChromiumPage> {
  // A fresh profile directory per run (Playwright passes it as --user-data-dir).
  const profile = mkdtempSync(join(tmpdir(), `${name}-chromium-`));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    // This machine's network is closed: without these, Chromium's background requests fail and stall it.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  return {
    page,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
