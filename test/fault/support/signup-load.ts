import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';

/** What one registration attempt got back. */
export interface RegistrationOutcome {
  /** The HTTP status; 0 when no response came at all (connection refused or reset). */
  status: number;
  /** The new user's id, on a 201. */
  id?: string;
  /** The problem's code, or the network error, for anything but a 201. */
  detail?: string;
}

/** Sends one registration with fresh, unique data. */
export type Registrar = () => Promise<RegistrationOutcome>;

/** Registration data no other test uses. */
export const newSignup = () => ({
  email: `fault.${randomUUID()}@example.com`,
  password: 'correct horse battery staple',
  firstName: 'Grace',
  lastName: 'Hopper',
});

/** Registrations through the in-process API (`app.inject`). */
export function registerInProcess(api: NestFastifyApplication): Registrar {
  return async () => {
    try {
      const response = await api.inject({ method: 'POST', url: '/users', payload: newSignup() });
      const body = response.json<{ id?: string; code?: string }>();
      return response.statusCode === 201
        ? { status: 201, id: body.id }
        : { status: response.statusCode, detail: body.code };
    } catch (error) {
      return { status: 0, detail: (error as Error).message };
    }
  };
}

/**
 * Registrations over HTTP, to an API running as a child process (`baseUrl` is asked each time: a restarted API
 * listens elsewhere). One connection per request: what keep-alive connections do to a shutdown is the subject
 * of a test of its own.
 */
export function registerOverHttp(baseUrl: () => string): Registrar {
  return () =>
    new Promise((resolve) => {
      const payload = JSON.stringify(newSignup());
      const request = httpRequest(
        `${baseUrl()}/users`,
        {
          method: 'POST',
          agent: false,
          timeout: 15_000,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            const body = parseJson(text);
            resolve(
              response.statusCode === 201
                ? { status: 201, id: body.id }
                : { status: response.statusCode ?? 0, detail: body.code },
            );
          });
          response.on('error', (error) => resolve({ status: 0, detail: error.message }));
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ status: 0, detail: error.code ?? error.message }),
      );
      request.end(payload);
    });
}

function parseJson(text: string): { id?: string; code?: string } {
  try {
    return JSON.parse(text) as { id?: string; code?: string };
  } catch {
    return {};
  }
}

/**
 * Registers users in waves of concurrent requests, with a pause between waves, and keeps every outcome. Faults
 * are injected by a concurrent "chaos" function that waits for progress points with {@link whenAttempted}, so
 * that they land mid-load however fast or slow the machine is.
 */
export class SignupLoad {
  readonly outcomes: RegistrationOutcome[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private finished = false;

  constructor(private readonly registrar: Registrar) {}

  /** Ids of the users acknowledged with a 201: each must exist and be onboarded, once. */
  get acknowledgedIds(): string[] {
    return this.outcomes.flatMap((outcome) => (outcome.status === 201 && outcome.id ? [outcome.id] : []));
  }

  /** How many registrations got each status, e.g. `{ 201: 95, 503: 5 }`. */
  statusCounts(): Record<number, number> {
    const counts: Record<number, number> = {};
    for (const { status } of this.outcomes) counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }

  /** Outcomes other than 201, grouped as "status detail" with a count, for a failure message. */
  failures(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { status, detail } of this.outcomes) {
      if (status === 201) continue;
      const key = `${status} ${detail ?? ''}`.trim();
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  /**
   * `waves` waves of `waveSize` concurrent registrations, `pauseMs` apart. With `until`, keeps going (up to
   * `maxWaves`) until that promise settles too, so that the load outlasts the faults injected alongside it.
   */
  async run({
    waves,
    waveSize,
    pauseMs,
    until,
    maxWaves = waves,
  }: {
    waves: number;
    waveSize: number;
    pauseMs: number;
    until?: Promise<unknown>;
    maxWaves?: number;
  }): Promise<void> {
    let untilSettled = until === undefined;
    until?.then(
      () => (untilSettled = true),
      () => (untilSettled = true),
    );
    try {
      for (let wave = 0; wave < maxWaves && (wave < waves || !untilSettled); wave++) {
        if (wave > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        await Promise.all(Array.from({ length: waveSize }, () => this.attempt()));
      }
    } finally {
      this.finished = true;
      for (const waiter of this.waiters) waiter.resolve();
      this.waiters = [];
    }
  }

  /** Resolves once `count` registrations have been answered (whatever the answer), or the load is over. */
  whenAttempted(count: number): Promise<void> {
    if (this.finished || this.outcomes.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private async attempt(): Promise<void> {
    this.outcomes.push(await this.registrar());
    const due = this.waiters.filter((waiter) => this.outcomes.length >= waiter.count);
    this.waiters = this.waiters.filter((waiter) => this.outcomes.length < waiter.count);
    for (const waiter of due) waiter.resolve();
  }
}
