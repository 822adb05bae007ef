import { AppConfig } from '@app/config';
import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { AdminTokenGuard } from './admin-token.guard';

const FIRST_TOKEN = 'first-admin-token-0001';
const SECOND_TOKEN = 'second-admin-token-0002';

function contextWith(authorization: string | undefined): ExecutionContext {
  return {
    switchToHttp: () => ({ getRequest: () => ({ headers: { authorization } }) }),
  } as unknown as ExecutionContext;
}

function guardFor(adminTokens: string): AdminTokenGuard {
  return new AdminTokenGuard(AppConfig.load({ ADMIN_TOKENS: adminTokens }));
}

describe('AdminTokenGuard', () => {
  it.each([FIRST_TOKEN, SECOND_TOKEN])(
    'when the bearer token is %p, one of several configured, then access is granted',
    (token) => {
      const guard = guardFor(`${FIRST_TOKEN},${SECOND_TOKEN}`);

      const allowed = guard.canActivate(contextWith(`Bearer ${token}`));

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
  ])('when the Authorization header is %s, then the request is refused as unauthorized', (_case, header) => {
    const guard = guardFor(`${FIRST_TOKEN},${SECOND_TOKEN}`);

    const check = () => guard.canActivate(contextWith(header));

    expect(check).toThrow(UnauthorizedException);
  });

  it('when no admin token is configured, then even a well-formed bearer token is refused', () => {
    const guard = new AdminTokenGuard(AppConfig.load({}));

    const check = () => guard.canActivate(contextWith(`Bearer ${FIRST_TOKEN}`));

    expect(check).toThrow(UnauthorizedException);
  });

  it('when ADMIN_TOKENS is set to an empty string, then every bearer token is refused', () => {
    const guard = guardFor('');

    const check = () => guard.canActivate(contextWith(`Bearer ${FIRST_TOKEN}`));

    expect(check).toThrow(UnauthorizedException);
  });
});
