import { AppConfig } from '@app/config';
import { PasswordHashingOverloadedError } from './password-hashing-overloaded.error';
import { PasswordHasher } from './password.hasher';

const cheap = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };

describe('PasswordHasher', () => {
  it('when a password is hashed, then the result is an argon2id PHC string with the configured cost', async () => {
    const hasher = new PasswordHasher(AppConfig.load(cheap));

    const hashed = await hasher.hash('correct horse battery staple');

    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
  });

  it('when more hashes are requested at once than ARGON2_MAX_PENDING, then the extra ones fail at once with a 503 code', async () => {
    const hasher = new PasswordHasher(AppConfig.load({ ...cheap, ARGON2_MAX_PENDING: '3' }));

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, index) => hasher.hash(`password number ${index}`)),
    );

    const refused = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
    expect(refused).toHaveLength(2);
    for (const result of refused) {
      expect(result.reason).toBeInstanceOf(PasswordHashingOverloadedError);
      expect(result.reason).toMatchObject({ code: 'SERVICE_OVERLOADED' });
    }
  });

  it('when a burst has finished, then the budget is free again', async () => {
    const hasher = new PasswordHasher(AppConfig.load({ ...cheap, ARGON2_MAX_PENDING: '1' }));

    await hasher.hash('first password here');
    await hasher.hash('second password here');

    expect(hasher.inFlight).toBe(0);
  });
});
