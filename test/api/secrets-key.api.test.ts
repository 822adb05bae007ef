import { AppProcess } from '../support/worker-process';

describe('the API at boot without SECRETS_ENCRYPTION_KEY (a real process)', () => {
  let api: AppProcess | undefined;

  afterEach(async () => {
    await api?.stop();
  });

  it('when NODE_ENV is production, then it refuses to start: exit 1 with a message naming the variable', async () => {
    // It fails while building the application, before any connection: no database or broker is involved.
    // Everything else production needs is set: the secrets key is what is missing.
    api = await AppProcess.start('api', {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      IDEMPOTENCY_FINGERPRINT_KEY: 'a-fingerprint-key-for-this-test-only-0123456789',
    });

    const exit = await api.waitForExit(45_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(api.grep(/SECRETS_ENCRYPTION_KEY is required when NODE_ENV=production/).length).toBeGreaterThan(0);
  });
});
