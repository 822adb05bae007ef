import { createTestEnvironment, TestEnvironment } from '../support/test-environment';
import { AppProcess } from '../support/worker-process';

/** How the worker starts without an SMTP server configured: a real process each time. */
describe('the worker at boot without SMTP_URL (a real process)', () => {
  let env: TestEnvironment;
  let worker: AppProcess | undefined;

  beforeAll(async () => {
    env = await createTestEnvironment();
  });

  afterEach(async () => {
    await worker?.stop();
  });

  afterAll(async () => {
    await env?.cleanup();
  });

  it('when NODE_ENV is development, then it starts, says at boot that mail goes to its log, and is ready', async () => {
    worker = await AppProcess.start('worker', env.variables({ LOG_LEVEL: 'info' }));

    await worker.waitUntilReady();

    expect(
      worker.grep(/mail goes to the worker log \(development transport: no SMTP_URL is set\)/),
    ).toHaveLength(1);
  });

  it('when NODE_ENV is production, then it refuses to start: exit 1 with a message naming SMTP_URL', async () => {
    // Everything else production needs is set: the mail transport is what is missing.
    worker = await AppProcess.start(
      'worker',
      env.variables({
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        IDEMPOTENCY_FINGERPRINT_KEY: 'a-fingerprint-key-for-this-test-only-0123456789',
      }),
    );

    const exit = await worker.waitForExit(45_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(worker.grep(/SMTP_URL must be set when NODE_ENV=production/).length).toBeGreaterThan(0);
  });
});
