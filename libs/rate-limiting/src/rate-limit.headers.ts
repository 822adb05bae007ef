/**
 * The rate-limit header fields of draft-ietf-httpapi-ratelimit-headers-09 (March 2025): `RateLimit-Policy`
 * (`"signup";q=20;w=60`: a quota of 20 per 60 s window) and `RateLimit` (`"signup";r=3;t=41`: 3 requests left,
 * the window resets in 41 s). Both are Structured Field lists, so a route under several policies lists each.
 */
export interface RateLimitState {
  policy: string;
  limit: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

export const RATE_LIMIT_POLICY_HEADER = 'RateLimit-Policy';
export const RATE_LIMIT_HEADER = 'RateLimit';

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    [RATE_LIMIT_POLICY_HEADER]: `"${state.policy}";q=${state.limit};w=${state.windowSeconds}`,
    [RATE_LIMIT_HEADER]: `"${state.policy}";r=${Math.max(0, state.remaining)};t=${Math.max(0, state.resetSeconds)}`,
  };
}
