import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { LogCapture, startApi } from '../support/apps';
import { createTestEnvironment, TEST_ADMIN_TOKEN, TestEnvironment } from '../support/test-environment';

const ALLOWED_ORIGIN = 'https://app.example.com';
const METRICS_TOKEN = 'metrics-token-0123456789';

const get = (url: string, port: number, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path: url, headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });

/** The HTTP edge: methods, CORS, security headers, Fastify's own errors, logs, metrics and documentation. */
describe('the public edge of the API', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  const logs = new LogCapture();
  const started: NestFastifyApplication[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startApi(env.config({ CORS_ALLOWED_ORIGINS: ALLOWED_ORIGIN, LOG_LEVEL: 'info' }), { logs });
  });

  afterAll(async () => {
    for (const other of started) await other.close();
    await app?.close();
    await env?.cleanup();
  });

  describe('methods', () => {
    it.each([
      ['PUT', '/users', 'GET, HEAD, OPTIONS, POST'],
      ['DELETE', '/health/live', 'GET, HEAD, OPTIONS'],
      ['PATCH', '/dead-letters/some-id/replay', 'OPTIONS, POST'],
    ])(
      'when %s %s is not a route, then 405 METHOD_NOT_ALLOWED with Allow: %s',
      async (method, url, allow) => {
        const response = await app.inject({ method: method as 'PUT', url });

        expect(response.statusCode).toBe(405);
        expect(response.headers.allow).toBe(allow);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED', instance: url });
      },
    );

    it('when a plain OPTIONS asks about a known path, then 204 with Allow; about an unknown path, 404 problem', async () => {
      const known = await app.inject({ method: 'OPTIONS', url: '/users' });
      const unknown = await app.inject({ method: 'OPTIONS', url: '/nowhere' });

      expect(known.statusCode).toBe(204);
      expect(known.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    });

    it('when a path does not exist, then 404 ROUTE_NOT_FOUND as a problem', async () => {
      const response = await app.inject({ method: 'GET', url: '/nowhere' });

      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/users',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });

    it('when an allowed origin sends a preflight, then 204 allowing it, the method and the header', async () => {
      const response = await preflight(ALLOWED_ORIGIN);

      expect(response.statusCode).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(response.headers['access-control-allow-methods']).toContain('POST');
      expect(response.headers['access-control-allow-headers']).toBe('content-type');
    });

    it('when another origin sends a preflight, then 204 without Allow-Origin (the browser refuses)', async () => {
      const response = await preflight('https://evil.example.com');

      expect(response.statusCode).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('when an allowed origin reads an answer, then the documented headers are exposed to it', async () => {
      const response = await app.inject({
        method: 'GET',
        url: '/health/live',
        headers: { origin: ALLOWED_ORIGIN },
      });

      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(response.headers['access-control-expose-headers']).toContain('Location');
      expect(response.headers['access-control-expose-headers']).toContain('RateLimit');
    });

    it('when no origin is configured (the default), then no preflight is allowed', async () => {
      const closed = await startApi(env.config());
      started.push(closed);

      const response = await closed.inject({
        method: 'OPTIONS',
        url: '/users',
        headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' },
      });

      expect(response.statusCode).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('security headers', () => {
    it.each([
      ['an answer', { method: 'GET' as const, url: '/health/live' }],
      ['an error', { method: 'GET' as const, url: '/users' }],
      ['a 405', { method: 'PUT' as const, url: '/users' }],
      ['Swagger UI', { method: 'GET' as const, url: '/docs' }],
    ])(
      'when the API sends %s, then it carries helmet’s headers, a CSP without upgrade-insecure-requests',
      async (_case, request) => {
        const response = await app.inject(request);

        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['strict-transport-security']).toBeDefined();
        expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(String(response.headers['content-security-policy'])).toContain("default-src 'self'");
        expect(String(response.headers['content-security-policy'])).not.toContain(
          'upgrade-insecure-requests',
        );
      },
    );

    it('when Fastify refuses a URL before any hook (414), then the answer still has nosniff and a CSP', async () => {
      const response = await app.inject({ method: 'GET', url: `/users/${'a'.repeat(101)}` });

      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    });
  });

  describe("Fastify's own errors are problems", () => {
    it.each([
      ['an overlong path parameter', { url: `/users/${'a'.repeat(101)}` }, 414, 'URI_TOO_LONG'],
      ['a bad percent-encoding', { url: '/users/%ZZ' }, 400, 'MALFORMED_URL'],
      ['an encoded lone surrogate', { url: '/users/%ED%A0%80' }, 400, 'MALFORMED_URL'],
    ])('when the request has %s, then %p %s as problem+json', async (_case, { url }, status, code) => {
      const response = await app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });

      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status, code });
    });

    it.each([
      ['text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [';;;', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['application/jsonx', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ])('when the content type is %p, then %p %s as problem+json', async (contentType, status, code) => {
      const response = await app.inject({
        method: 'POST',
        url: '/users',
        payload: '{}',
        headers: { 'content-type': contentType },
      });

      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code });
    });

    it('when Content-Length does not match the body, then 400 BAD_REQUEST as problem+json', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/users',
        payload: '{}',
        headers: { 'content-type': 'application/json', 'content-length': '99' },
      });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'BAD_REQUEST' });
    });
  });

  describe('logs', () => {
    const linesOf = (requestId: string, from: number) =>
      logs.lines.slice(from).filter((line) => line.requestId === requestId);

    it('when a request is answered, then one line records it under its request id, with the credentials redacted', async () => {
      const before = logs.lines.length;

      await app.inject({
        method: 'GET',
        url: `/users/${randomUUID()}`,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'x-request-id': 'trace-completed-1' },
      });

      const lines = linesOf('trace-completed-1', before);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 30,
          msg: 'request completed',
          req: expect.objectContaining({
            method: 'GET',
            url: expect.stringMatching(/^\/users\//),
            headers: expect.objectContaining({ authorization: '[REDACTED]' }),
          }),
          res: expect.objectContaining({ statusCode: 404 }),
          responseTime: expect.any(Number),
        }),
      ]);
      expect(logs.text).not.toContain(TEST_ADMIN_TOKEN);
    });

    it('when probes and scrapes are answered, then they log nothing', async () => {
      const before = logs.lines.length;

      await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'trace-probe-1' } });
      await app.inject({ method: 'GET', url: '/metrics', headers: { 'x-request-id': 'trace-probe-1' } });

      expect(linesOf('trace-probe-1', before)).toEqual([]);
    });

    it('when the work of a request logs, then that line carries the request id too', async () => {
      const offline = await startApi(
        env.config({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', LOG_LEVEL: 'info' }),
        { logs, waitForDatabase: false },
      );
      started.push(offline);
      const before = logs.lines.length;

      const response = await offline.inject({
        method: 'GET',
        url: `/users/${randomUUID()}`,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'x-request-id': 'trace-outage-1' },
      });

      expect(response.statusCode).toBe(503);
      expect(linesOf('trace-outage-1', before)).toEqual([
        expect.objectContaining({ level: 40, context: 'ProblemDetailsFilter' }),
        expect.objectContaining({
          level: 30,
          msg: 'request errored',
          res: expect.objectContaining({ statusCode: 503 }),
        }),
      ]);
    });

    it('when a request carries encoded line breaks, a forged request id and a bidi override, then each log entry stays one JSON line', async () => {
      const before = logs.lines.length;

      await app.inject({
        method: 'GET',
        url: '/users/%0A%7B%22level%22%3A60%7D?x=%0D%0A',
        headers: { 'x-request-id': 'forged\u2028{"level":60}' },
      });
      await app.inject({
        method: 'POST',
        url: '/users',
        payload: { email: 'a\u202e@example.com', password: 'x\n{"level":60}', firstName: 'A', lastName: 'B' },
      });

      const lines = logs.lines.slice(before);
      expect(lines.length).toBeGreaterThan(0);
      // LogCapture parses every line as JSON: a broken or injected line would have thrown already.
      expect(lines.every((line) => line.level !== 60)).toBe(true);
      expect(lines.some((line) => String(line.requestId).includes('forged'))).toBe(false);
    });
  });

  describe('metrics', () => {
    it('when routes are called, then http_requests_total and the duration histogram are labelled by route template', async () => {
      const id = randomUUID();
      await app.inject({
        method: 'GET',
        url: `/users/${id}`,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      await app.inject({ method: 'GET', url: `/no/such/${id}` });

      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;

      expect(text).toContain('http_requests_total{method="GET",route="/users/:id",status="404",app="api"}');
      expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404",app="api"}');
      expect(text).toMatch(
        /http_request_duration_seconds_bucket\{le="[0-9.]+",app="api",method="GET",route="\/users\/:id"\}/,
      );
      expect(text).not.toContain(id);
    });

    it('when METRICS_TOKEN is set, then /metrics needs that bearer token', async () => {
      const guarded = await startApi(env.config({ METRICS_TOKEN }));
      started.push(guarded);

      const anonymous = await guarded.inject({ method: 'GET', url: '/metrics' });
      const wrong = await guarded.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer wrong' },
      });
      const scraper = await guarded.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });

      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['content-type']).toContain('application/problem+json');
      expect(wrong.statusCode).toBe(401);
      expect(scraper.statusCode).toBe(200);
      expect(scraper.body).toContain('http_requests_total');
    });

    it('when METRICS_PORT is set, then /metrics is served there and not on the API port', async () => {
      const port = 40_000 + Math.floor(Math.random() * 20_000);
      const separate = await startApi(env.config({ METRICS_PORT: String(port) }));
      started.push(separate);

      const onApiPort = await separate.inject({ method: 'GET', url: '/metrics' });
      const onMetricsPort = await get('/metrics', port);

      expect(onApiPort.statusCode).toBe(404);
      expect(onMetricsPort.status).toBe(200);
      expect(onMetricsPort.body).toContain('process_resident_memory_bytes');
    });
  });

  describe('documentation', () => {
    it('when DOCS_ENABLED is false, then /docs and /docs-json are not served', async () => {
      const production = await startApi(env.config({ DOCS_ENABLED: 'false' }));
      started.push(production);

      expect((await production.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(404);
      expect((await production.inject({ method: 'GET', url: '/docs-json' })).statusCode).toBe(404);
    });
  });
});
