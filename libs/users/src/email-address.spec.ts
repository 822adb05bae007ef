import { emailAddressProblem, normalizeEmailAddress } from './email-address';

const check = (raw: string) => emailAddressProblem(normalizeEmailAddress(raw));

describe('email addresses', () => {
  it.each([
    ['  Grace.Hopper@Example.COM ', 'grace.hopper@example.com'],
    ['ada@bücher.de', 'ada@xn--bcher-kva.de'],
    ['ADA@BÜCHER.DE', 'ada@xn--bcher-kva.de'],
    ['ａｄａ＠example.com', 'ada@example.com'],
    ['ada@xn--bcher-kva.de', 'ada@xn--bcher-kva.de'],
  ])('when the address is %p, then it is stored as %p and is valid', (raw, stored) => {
    expect(normalizeEmailAddress(raw)).toBe(stored);
    expect(check(raw)).toBeUndefined();
  });

  it.each([
    ['a zero-width space', 'ada\u200b@example.com'],
    ['a right-to-left override', 'ada\u202e@example.com'],
    ['a left-to-right mark in the domain', 'ada@exam\u200eple.com'],
    ['a byte-order mark inside', 'ad\ufeffa@example.com'],
    ['a control character', 'ada\u0007@example.com'],
    ['an inner space', 'ada lovelace@example.com'],
    ['a lone surrogate', 'ada\ud800@example.com'],
  ])('when the address has %s, then the rule emailCharacters fails', (_case, raw) => {
    expect(check(raw)).toBe('emailCharacters');
  });

  it('when the local part is 65 octets, or the address 255, then the rule emailLength fails', () => {
    expect(check(`${'a'.repeat(64)}@example.com`)).toBeUndefined();
    expect(check(`${'a'.repeat(65)}@example.com`)).toBe('emailLength');
    expect(check(`${'é'.repeat(33)}@example.com`)).toBe('emailLength');
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.${'g'.repeat(40)}.com`;
    expect(check(`a@${domain}`)).toBe(domain.length + 2 > 254 ? 'emailLength' : undefined);
  });

  it.each([
    'not-an-email',
    'ada@',
    '@example.com',
    'ada@localhost',
    'ada@[127.0.0.1]',
    'ada<ada@example.com>',
  ])('when the address is %p, then the rule isEmail fails', (raw) => {
    expect(check(raw)).toBe('isEmail');
  });
});
