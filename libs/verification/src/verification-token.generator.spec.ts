import {
  generateVerificationToken,
  hashVerificationToken,
  VERIFICATION_TOKEN_PATTERN,
} from './verification-token.generator';

describe('verification tokens', () => {
  it('when a token is generated, then it is 32 bytes in base64url, and never the same twice', () => {
    const tokens = Array.from({ length: 100 }, () => generateVerificationToken());

    for (const token of tokens) {
      expect(token).toMatch(VERIFICATION_TOKEN_PATTERN);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
    expect(new Set(tokens).size).toBe(100);
  });

  it('when a token is hashed, then it is its SHA-256, the same every time', () => {
    const token = generateVerificationToken();

    expect(hashVerificationToken(token)).toHaveLength(32);
    expect(hashVerificationToken(token)).toEqual(hashVerificationToken(token));
    expect(hashVerificationToken(token)).not.toEqual(hashVerificationToken(generateVerificationToken()));
  });
});
