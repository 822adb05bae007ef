import { RedisThrottlerStorage } from '@app/rate-limiting';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getStorageToken } from '@nestjs/throttler';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { startApi } from '../support/apps';
import { createTestEnvironment, TEST_ADMIN_TOKEN, TestEnvironment } from '../support/test-environment';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const signup = () => ({
  email: `limits.${randomUUID()}@example.com`,
  password: 'correct horse battery staple',
  firstName: 'Ada',
  lastName: 'Lovelace',
});

/** Rate limits with the defaults a deployment gets, in-process and in a real Redis shared by two replicas. */
describe('rate limits', () => {
  let env: TestEnvironment;
  const started: NestFastifyApplication[] = [];
  const cheap = { ARGON2_MEMORY_KIB: '8', ARGON2_TIME_COST: '1', RATE_LIMIT_ENABLED: 'true' };
  const start = async (overrides: Record<string, string> = {}) => {
    const app = await startApi(env.config({ ...cheap, ...overrides }));
    started.push(app);
    return app;
  };
  const register = (app: NestFastifyApplication, remoteAddress = '198.51.100.1', headers = {}) =>
    app.inject({ method: 'POST', url: '/users', payload: signup(), remoteAddress, headers });

  beforeAll(async () => {
    env = await createTestEnvironment();
  });

  afterAll(async () => {
    for (const app of started) await app.close();
    await env?.cleanup();
  });

  it('when one address sends 100 signups within a minute (default limits), then the later ones get 429 problems with Retry-After and RateLimit headers', async () => {
    const app = await start();

    const responses = [];
    for (let i = 0; i < 100; i++) responses.push(await register(app));

    const accepted = responses.filter((r) => r.statusCode === 201);
    const limited = responses.filter((r) => r.statusCode === 429);
    expect(accepted).toHaveLength(20);
    expect(limited).toHaveLength(80);
    expect(accepted[0].headers['ratelimit-policy']).toBe('"signup";q=20;w=60');
    expect(accepted[0].headers.ratelimit).toMatch(/^"signup";r=19;t=\d+$/);
    const refused = limited[0];
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', instance: '/users' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers.ratelimit).toMatch(/^"signup";r=0;t=\d+$/);
    expect(await env.query('SELECT id FROM users')).toHaveLength(20);
  });

  it('when the limit of one address is spent, then another address still registers, and X-Forwarded-For cannot pose as one (no proxy trusted)', async () => {
    const app = await start({ RATE_LIMIT_SIGNUP: '2/1m' });
    await register(app, '198.51.100.2');
    await register(app, '198.51.100.2');

    const spoofed = await register(app, '198.51.100.2', { 'x-forwarded-for': '203.0.113.50' });
    const other = await register(app, '198.51.100.3');

    expect(spoofed.statusCode).toBe(429);
    expect(other.statusCode).toBe(201);
  });

  it('when TRUST_PROXY names the proxy, then the client address is taken from X-Forwarded-For', async () => {
    const app = await start({ RATE_LIMIT_SIGNUP: '1/1m', TRUST_PROXY: '10.0.0.1' });
    const viaProxy = (client: string) => register(app, '10.0.0.1', { 'x-forwarded-for': client });

    const first = await viaProxy('203.0.113.1');
    const second = await viaProxy('203.0.113.2');
    const again = await viaProxy('203.0.113.1');

    expect([first.statusCode, second.statusCode, again.statusCode]).toEqual([201, 201, 429]);
  });

  it('when 200 wrong admin tokens come from one address, then they meet 429s, while the right token still works', async () => {
    const app = await start();
    const statuses: number[] = [];

    for (let i = 0; i < 200; i++) {
      const response = await app.inject({
        method: 'GET',
        url: '/users',
        headers: { authorization: `Bearer guess-${i}-0123456789abcdef` },
        remoteAddress: '198.51.100.9',
      });
      statuses.push(response.statusCode);
    }
    const valid = await app.inject({
      method: 'GET',
      url: '/users',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      remoteAddress: '198.51.100.9',
    });

    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(190);
    expect(valid.statusCode).toBe(200);
  });

  it('when one admin token goes over its limit, then it gets 429 on every admin route, per token', async () => {
    const app = await start({ RATE_LIMIT_ADMIN: '3/1m' });
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

    const statuses = [];
    for (const url of ['/users', '/dead-letters', '/users', '/dead-letters']) {
      statuses.push((await app.inject({ method: 'GET', url, headers: admin })).statusCode);
    }

    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('when RATE_LIMIT_ENABLED is false, then nothing is limited and no RateLimit header is sent', async () => {
    const app = await start({ RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_SIGNUP: '1/1m' });

    const responses = [await register(app), await register(app), await register(app)];

    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(responses[0].headers.ratelimit).toBeUndefined();
  });

  describe('in Redis (REDIS_URL)', () => {
    const prefix = `test:${randomUUID()}:`;
    let redis: Redis;

    beforeAll(() => {
      redis = new Redis(REDIS_URL);
    });

    afterAll(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    });

    const startWithRedis = async (overrides: Record<string, string> = {}) => {
      const app = await start({ REDIS_URL, REDIS_KEY_PREFIX: prefix, ...overrides });
      await app.get<RedisThrottlerStorage>(getStorageToken()).whenReady();
      return app;
    };

    it('when two replicas share one Redis, then they spend one budget per address', async () => {
      const replicaA = await startWithRedis({ RATE_LIMIT_SIGNUP: '4/1m' });
      const replicaB = await startWithRedis({ RATE_LIMIT_SIGNUP: '4/1m' });

      const statuses = [];
      for (const replica of [replicaA, replicaB, replicaA, replicaB, replicaA, replicaB]) {
        statuses.push((await register(replica, '198.51.100.20')).statusCode);
      }

      expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
      expect((await redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    });

    it('when Redis cannot be reached, then limits fail open: requests are served, not refused', async () => {
      const app = await start({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_SIGNUP: '1/1m' });

      const responses = [await register(app), await register(app)];

      expect(responses.map((r) => r.statusCode)).toEqual([201, 201]);
    });
  });

  it('when more signups arrive at once than ARGON2_MAX_PENDING, then the extra ones get 503 SERVICE_OVERLOADED with Retry-After at once', async () => {
    const app = await start({
      RATE_LIMIT_ENABLED: 'false',
      ARGON2_MEMORY_KIB: '19456',
      ARGON2_TIME_COST: '2',
      ARGON2_MAX_PENDING: '4',
    });

    const responses = await Promise.all(Array.from({ length: 60 }, () => register(app)));

    const overloaded = responses.filter((r) => r.statusCode === 503);
    expect(responses.filter((r) => r.statusCode === 201).length).toBeGreaterThanOrEqual(4);
    expect(overloaded.length).toBeGreaterThan(0);
    expect(overloaded[0].json()).toMatchObject({ code: 'SERVICE_OVERLOADED' });
    expect(overloaded[0].headers['retry-after']).toBe('1');
    expect(responses.every((r) => [201, 503].includes(r.statusCode))).toBe(true);
  });
});
