import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startApi } from '../support/apps';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';
import type { LintFinding } from './lint-openapi';

const run = promisify(execFile);

/** `/docs-json` as served, linted by Spectral (spectral:oas) and Redocly (recommended): nothing to report. */
describe('the OpenAPI document', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  let dir: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startApi(env.config());
    dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await app?.close();
    await env?.cleanup();
  });

  it('when /docs-json is linted with spectral:oas and Redocly recommended, then there is no error and no warning', async () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, (await app.inject({ method: 'GET', url: '/docs-json' })).body);

    const { stdout } = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, 'lint-openapi.ts'), file],
      // Offline: no telemetry, no update checks, no anonymous usage reports.
      {
        env: {
          ...process.env,
          REDOCLY_TELEMETRY: 'off',
          REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
          SCARF_ANALYTICS: 'false',
        },
        timeout: 60_000,
      },
    );

    const findings = JSON.parse(stdout) as LintFinding[];
    expect(findings).toEqual([]);
  });
});
