import { tokenStore } from './token-store';
import type { Problem } from './types';

/** An answer that is not a success, with the API's problem when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem ? `${problem.title}${problem.detail ? `: ${problem.detail}` : ''}` : `HTTP ${status}`);
    this.name = 'ApiError';
  }

  get code(): string | undefined {
    return this.problem?.code;
  }
}

type Query = Record<string, string | number | boolean | undefined>;

const withQuery = (path: string, query: Query = {}) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== '') search.set(name, String(value));
  return search.size > 0 ? `${path}?${search.toString()}` : path;
};

/** Listeners told when the token was refused: the app shows the sign-in again. */
const signedOut = new Set<(reason: string) => void>();

/** Calls `listener` whenever the API refuses the token (401); returns the unsubscribe. */
export function onSignedOut(listener: (reason: string) => void): () => void {
  signedOut.add(listener);
  return () => signedOut.delete(listener);
}

type Method = 'GET' | 'POST' | 'DELETE';

async function request<T>(
  method: Method,
  path: string,
  body: unknown,
  token: string | undefined,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    // Same origin only, no cookies: the bearer token is the only credential.
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, parsed as Problem | undefined);
  return parsed as T;
}

/**
 * The admin API, with the token of this tab as `Authorization: Bearer`. A 401 clears the token and brings the
 * sign-in back (the token was revoked, or rotated away).
 */
export const api = {
  async call<T>(
    method: Method,
    path: string,
    { query, body }: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    try {
      return await request<T>(method, withQuery(path, query), body, tokenStore.get());
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        tokenStore.clear();
        for (const listener of signedOut) listener('The API no longer accepts the token: sign in again.');
      }
      throw error;
    }
  },
  get<T>(path: string, query?: Query): Promise<T> {
    return api.call<T>('GET', path, { query });
  },
  post<T>(path: string, body?: unknown): Promise<T> {
    return api.call<T>('POST', path, { body });
  },
  delete(path: string): Promise<void> {
    return api.call<void>('DELETE', path);
  },
  /** Whether the API accepts `token` (a cheap admin read), without touching the stored one. */
  async check(token: string): Promise<void> {
    await request('GET', withQuery('/dead-letters', { limit: 1 }), undefined, token);
  },
};

/** The path segment of an id (message ids may hold `:` or `/`). */
export const segment = (value: string): string => encodeURIComponent(value);
