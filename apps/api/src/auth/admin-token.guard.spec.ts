import { AppConfig, RATE_LIMIT_POLICIES } from '@app/config';
import { RateLimitExceededError, RateLimitGuard } from '@app/rate-limiting';
import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { AdminTokenGuard } from './admin-token.guard';

const FIRST_TOKEN = 'first-admin-token-0001';
const SECOND_TOKEN = 'second-admin-token-0002';

function contextWith(authorization: string | undefined, ip = '192.0.2.10'): ExecutionContext {
  const headers = new Map<string, string>();
  const reply = {
    header: (name: string, value: string) => headers.set(name, value),
    getHeader: (name: string) => headers.get(name),
  };
  return {
    switchToHttp: () => ({
      getRequest: () => ({ headers: { authorization }, ip }),
      getResponse: () => reply,
    }),
  } as unknown as ExecutionContext;
}

const storages: ThrottlerStorageService[] = [];

async function guardFor(
  adminTokens: string,
  variables: Record<string, string> = {},
): Promise<AdminTokenGuard> {
  const config = AppConfig.load({ ADMIN_TOKENS: adminTokens, ...variables });
  const storage = new ThrottlerStorageService();
  storages.push(storage);
  const throttlers = RATE_LIMIT_POLICIES.map((name) => ({
    name,
    limit: config.rateLimits.policies[name].limit,
    ttl: config.rateLimits.policies[name].windowMs,
  }));
  const rateLimits = new RateLimitGuard({ throttlers }, storage, new Reflector(), config);
  await rateLimits.onModuleInit();
  return new AdminTokenGuard(config, rateLimits);
}

describe('AdminTokenGuard', () => {
  afterEach(() => {
    for (const storage of storages.splice(0)) storage.onApplicationShutdown();
  });

  it.each([FIRST_TOKEN, SECOND_TOKEN])(
    'when the bearer token is %p, one of several configured, then access is granted',
    async (token) => {
      const guard = await guardFor(`${FIRST_TOKEN},${SECOND_TOKEN}`);

      const allowed = await guard.canActivate(contextWith(`Bearer ${token}`));

      expect(allowed).toBe(true);
    },
  );

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['of another scheme', `Basic ${FIRST_TOKEN}`],
    ['a bearer without a token', 'Bearer '],
    ['a bearer with a token that is not configured', 'Bearer not-an-admin-token-0000'],
    ['a bearer with a prefix of a configured token', `Bearer ${FIRST_TOKEN.slice(0, -1)}`],
    ['a bearer with a configured token followed by more text', `Bearer ${FIRST_TOKEN} extra`],
  ])(
    'when the Authorization header is %s, then the request is refused as unauthorized',
    async (_case, header) => {
      const guard = await guardFor(`${FIRST_TOKEN},${SECOND_TOKEN}`);

      await expect(guard.canActivate(contextWith(header))).rejects.toThrow(UnauthorizedException);
    },
  );

  it('when no admin token is configured, then even a well-formed bearer token is refused', async () => {
    const guard = await guardFor('');

    await expect(guard.canActivate(contextWith(`Bearer ${FIRST_TOKEN}`))).rejects.toThrow(
      UnauthorizedException,
    );
  });

  it('when an address fails more often than the limit, then it gets 429s, other addresses and valid tokens do not', async () => {
    const guard = await guardFor(FIRST_TOKEN, { RATE_LIMIT_ADMIN_AUTH_FAILURES: '3/1m' });
    const wrong = () => guard.canActivate(contextWith('Bearer wrong-token-000000000'));

    for (let attempt = 0; attempt < 3; attempt++)
      await expect(wrong()).rejects.toThrow(UnauthorizedException);

    await expect(wrong()).rejects.toThrow(RateLimitExceededError);
    await expect(
      guard.canActivate(contextWith('Bearer wrong-token-000000000', '192.0.2.99')),
    ).rejects.toThrow(UnauthorizedException);
    await expect(guard.canActivate(contextWith(`Bearer ${FIRST_TOKEN}`))).resolves.toBe(true);
  });

  it('when one token makes more requests than the admin limit, then it gets 429s and another token does not', async () => {
    const guard = await guardFor(`${FIRST_TOKEN},${SECOND_TOKEN}`, { RATE_LIMIT_ADMIN: '2/1m' });

    await guard.canActivate(contextWith(`Bearer ${FIRST_TOKEN}`));
    await guard.canActivate(contextWith(`Bearer ${FIRST_TOKEN}`));

    await expect(guard.canActivate(contextWith(`Bearer ${FIRST_TOKEN}`))).rejects.toThrow(
      RateLimitExceededError,
    );
    await expect(guard.canActivate(contextWith(`Bearer ${SECOND_TOKEN}`))).resolves.toBe(true);
  });

  it('when rate limits are disabled, then failures past the limit are still plain 401s', async () => {
    const guard = await guardFor(FIRST_TOKEN, {
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_ADMIN_AUTH_FAILURES: '1/1m',
    });

    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(guard.canActivate(contextWith('Bearer wrong-token-000000000'))).rejects.toThrow(
        UnauthorizedException,
      );
    }
  });
});
