import { rateLimitHeaders } from './rate-limit.headers';

describe('rate-limit header fields', () => {
  it('when a policy has requests left, then RateLimit-Policy and RateLimit follow draft-ietf-httpapi-ratelimit-headers-09', () => {
    const headers = rateLimitHeaders({
      policy: 'signup',
      limit: 20,
      windowSeconds: 60,
      remaining: 3,
      resetSeconds: 41,
    });

    expect(headers).toEqual({ 'RateLimit-Policy': '"signup";q=20;w=60', RateLimit: '"signup";r=3;t=41' });
  });

  it('when the budget is overspent, then remaining is 0, never negative', () => {
    const headers = rateLimitHeaders({
      policy: 'admin',
      limit: 1,
      windowSeconds: 60,
      remaining: -5,
      resetSeconds: 9,
    });

    expect(headers.RateLimit).toBe('"admin";r=0;t=9');
  });
});
