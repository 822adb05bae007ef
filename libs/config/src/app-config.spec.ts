import { AppConfig, InvalidConfigurationError } from './app-config';

describe('AppConfig.load', () => {
  it('when nothing is set, then every value takes its documented default', () => {
    const config = AppConfig.load({});

    expect(config.http.port).toBe(3000);
    expect(config.worker.httpPort).toBe(3001);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/onboarding');
    expect(config.rabbitmq.url).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(config.passwordHashing).toEqual({
      memoryKib: 19_456,
      timeCost: 2,
      parallelism: 1,
      maxPending: 32,
    });
    expect(config.adminTokens).toEqual([]);
    expect(config.heapGrowingPercent).toBe(50);
  });

  it('when nothing is set, then the edge trusts no proxy, allows no CORS origin, limits rates in-process', () => {
    const config = AppConfig.load({});

    expect(config.edge).toEqual({
      trustProxy: false,
      corsAllowedOrigins: [],
      docsEnabled: true,
      metrics: { port: undefined, token: undefined },
    });
    expect(config.rateLimits.enabled).toBe(true);
    expect(config.rateLimits.policies.signup).toEqual({ limit: 20, windowMs: 60_000 });
    expect(config.redis).toEqual({ url: undefined, keyPrefix: 'onboarding:' });
    expect(config.idempotency.ttlHours).toBe(24);
  });

  it.each([
    ['true', true],
    ['2', 2],
    ['10.0.0.1, 192.168.0.0/16', ['10.0.0.1', '192.168.0.0/16']],
  ])('when TRUST_PROXY is %p, then Fastify is given %p', (value, expected) => {
    expect(AppConfig.load({ TRUST_PROXY: value }).edge.trustProxy).toEqual(expected);
  });

  it('when rate limits are given with units, then each becomes requests per milliseconds', () => {
    const config = AppConfig.load({
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_SIGNUP: '5/30s',
      RATE_LIMIT_VERIFICATION: '3/15m',
      RATE_LIMIT_ADMIN: '1000/1h',
    });

    expect(config.rateLimits.enabled).toBe(false);
    expect(config.rateLimits.policies).toMatchObject({
      signup: { limit: 5, windowMs: 30_000 },
      verification: { limit: 3, windowMs: 900_000 },
      admin: { limit: 1000, windowMs: 3_600_000 },
    });
  });

  it('when NODE_ENV is production without IDEMPOTENCY_FINGERPRINT_KEY, then loading fails naming it', () => {
    const load = () => AppConfig.load({ NODE_ENV: 'production' });

    expect(load).toThrow('IDEMPOTENCY_FINGERPRINT_KEY');
  });

  it('when ADMIN_TOKENS lists tokens, then they are split on commas and trimmed', () => {
    const config = AppConfig.load({ ADMIN_TOKENS: ' first-token-0000000 , second-token-000000 ' });

    expect(config.adminTokens).toEqual(['first-token-0000000', 'second-token-000000']);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['RABBITMQ_URL', 'http://localhost'],
    ['ADMIN_TOKENS', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['RATE_LIMIT_SIGNUP', '20 per minute'],
    ['RATE_LIMIT_ENABLED', 'yes'],
    ['TRUST_PROXY', 'everyone'],
    ['CORS_ALLOWED_ORIGINS', 'example.com'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['ARGON2_MAX_PENDING', '0'],
    ['IDEMPOTENCY_FINGERPRINT_KEY', 'too-short'],
    ['HEAP_GROWING_PERCENT', '-1'],
    ['HEAP_GROWING_PERCENT', '301'],
  ])('when %s is %p, then loading fails with a message naming the variable', (name, value) => {
    const load = () => AppConfig.load({ [name]: value });

    expect(load).toThrow(InvalidConfigurationError);
    expect(load).toThrow(name);
  });
});

describe('AppConfig.load: secrets and verification', () => {
  const hexKey = 'a1'.repeat(32);
  const base64Key = Buffer.alloc(32, 7).toString('base64');

  it('when nothing is set, then there is no encryption key, a 24 h token TTL and a 60 s resend interval', () => {
    const config = AppConfig.load({});

    expect(config.secrets).toEqual({ encryptionKey: null, previousKeys: [] });
    expect(config.verification).toEqual({ tokenTtlMs: 86_400_000, resendIntervalMs: 60_000 });
  });

  it.each([
    ['hex', hexKey, Buffer.from(hexKey, 'hex')],
    ['base64', base64Key, Buffer.alloc(32, 7)],
    ['base64 without padding', base64Key.replace(/=$/, ''), Buffer.alloc(32, 7)],
    ['base64url', Buffer.alloc(32, 0xfb).toString('base64url'), Buffer.alloc(32, 0xfb)],
  ])('when SECRETS_ENCRYPTION_KEY is %s, then it decodes to its 32 bytes', (_, text, bytes) => {
    const config = AppConfig.load({ SECRETS_ENCRYPTION_KEY: text, SECRETS_ENCRYPTION_PREVIOUS_KEYS: hexKey });

    expect(config.secrets.encryptionKey).toEqual(bytes);
    expect(config.secrets.previousKeys).toEqual([Buffer.from(hexKey, 'hex')]);
  });

  it.each([
    ['VERIFICATION_TOKEN_TTL', '90m', { tokenTtlMs: 5_400_000, resendIntervalMs: 60_000 }],
    ['VERIFICATION_TOKEN_TTL', '3600', { tokenTtlMs: 3_600_000, resendIntervalMs: 60_000 }],
    ['VERIFICATION_RESEND_INTERVAL', '5m', { tokenTtlMs: 86_400_000, resendIntervalMs: 300_000 }],
  ])('when %s is %p, then it is read as a duration', (name, value, expected) => {
    expect(AppConfig.load({ [name]: value }).verification).toEqual(expected);
  });

  it.each([
    ['SECRETS_ENCRYPTION_KEY', 'too-short'],
    ['SECRETS_ENCRYPTION_KEY', 'a1'.repeat(31)],
    ['SECRETS_ENCRYPTION_PREVIOUS_KEYS', `${hexKey},nope`],
    ['VERIFICATION_TOKEN_TTL', 'tomorrow'],
    ['VERIFICATION_TOKEN_TTL', '500ms'],
    ['VERIFICATION_TOKEN_TTL', '31d'],
    ['VERIFICATION_RESEND_INTERVAL', '-5s'],
  ])('when %s is %p, then loading fails naming the variable', (name, value) => {
    const load = () => AppConfig.load({ [name]: value });

    expect(load).toThrow(InvalidConfigurationError);
    expect(load).toThrow(name);
  });
});
