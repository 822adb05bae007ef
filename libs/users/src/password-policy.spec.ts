import { commonPasswordCount, normalizePassword, passwordProblem } from './password-policy';

describe('password policy', () => {
  it('when the common list is loaded, then it holds more than 10,000 passwords', () => {
    expect(commonPasswordCount()).toBeGreaterThan(10_000);
  });

  it.each(['correct horse battery staple', 'Tr0ub4dor&3 xyzzy', '🔒'.repeat(8)])(
    'when the password is %p, then it is acceptable',
    (password) => {
      expect(passwordProblem(normalizePassword(password), 'ada@example.com')).toBeUndefined();
    },
  );

  it.each(['password', 'Password1', 'iloveyou', 'qwertyuiop', '12345678'])(
    'when the password is the common %p (in any case), then the rule commonPassword fails',
    (password) => {
      expect(passwordProblem(normalizePassword(password))).toBe('commonPassword');
    },
  );

  it('when the password contains the local part of the email, in any case, then the rule containsEmail fails', () => {
    expect(passwordProblem('my GRACE.HOPPER secret', 'grace.hopper@example.com')).toBe('containsEmail');
    expect(passwordProblem('my al secret words', 'al@example.com')).toBeUndefined();
  });

  it('when the password is 7 or 129 code points, or 4 emoji of 2 UTF-16 units each, then the rule isLength fails', () => {
    expect(passwordProblem('a7chars')).toBe('isLength');
    expect(passwordProblem('x'.repeat(129))).toBe('isLength');
    expect(passwordProblem('🔒'.repeat(4))).toBe('isLength');
    expect(passwordProblem('🔒'.repeat(128))).toBeUndefined();
  });

  it('when a password is typed decomposed or in full-width forms, then it normalises to the composed form', () => {
    expect(normalizePassword('cafe\u0301 au lait')).toBe(normalizePassword('café au lait'));
    expect(normalizePassword('ｐａｓｓｗｏｒｄ１２３')).toBe('password123');
  });

  it('when the password has a lone surrogate, then the rule passwordCharacters fails', () => {
    expect(passwordProblem(normalizePassword('long enough \ud800'))).toBe('passwordCharacters');
  });
});
