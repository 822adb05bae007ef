import { fastifyProblemOptions, useMethodNotAllowed } from '@app/http-problems';
import { Logger } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serveConsole } from '../../apps/api/src/console/console.routes';
import { useSecurityHeaders } from '../../apps/api/src/security-headers';

const ROOT = resolve(__dirname, '../..');

/**
 * How the API serves the built console: the page and its hashed assets from memory, with the console's own
 * Content-Security-Policy over a looser global one, cache headers, and problems for everything else. The bundle is
 * built by Vite into a directory of this test's own, as `npm run build` builds it into dist/console.
 */
describe('serving the operator console', () => {
  let directory: string;
  let app: FastifyInstance;

  const appWith = async (bundleDirectory: string) => {
    const fastify = Fastify(fastifyProblemOptions);
    // A global policy as loose as the one Swagger UI needs: the console's routes must not inherit it.
    useSecurityHeaders(fastify, {
      contentSecurityPolicy: { directives: { styleSrc: ["'self'", "'unsafe-inline'"] } },
    });
    useMethodNotAllowed(fastify);
    serveConsole(fastify, bundleDirectory);
    await fastify.ready();
    return fastify;
  };

  beforeAll(async () => {
    // No Nest app here to route the console's boot line to.
    Logger.overrideLogger(false);
    directory = mkdtempSync(join(tmpdir(), 'console-bundle-'));
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/vite/bin/vite.js'),
        'build',
        'console',
        '--outDir',
        directory,
        '--logLevel',
        'warn',
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
    app = await appWith(directory);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('when the page is asked for, then it comes with a policy that allows its own assets and nothing else', async () => {
    for (const url of ['/console', '/console/']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      const policy = String(response.headers['content-security-policy']).split(';');
      expect(policy).toEqual(
        expect.arrayContaining([
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          "connect-src 'self'",
          "img-src 'self' data:",
          "frame-ancestors 'none'",
          "base-uri 'none'",
        ]),
      );
      expect(policy.join(';')).not.toMatch(/unsafe-inline|https:|\*/);
      expect(response.body).toMatch(/<script type="module" crossorigin src="\/console\/assets\/[\w-]+\.js">/);
    }
  });

  it('when every asset the page names is asked for, then each is served with its type and cached for good', async () => {
    const page = (await app.inject({ method: 'GET', url: '/console' })).body;
    const referenced = [...page.matchAll(/"(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]);
    expect(referenced.sort()).toEqual(
      readdirSync(join(directory, 'assets'))
        .map((name) => `/console/assets/${name}`)
        .sort(),
    );
    expect(referenced.some((url) => url.endsWith('.css'))).toBe(true);
    for (const url of referenced) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/(javascript|css); charset=utf-8$/);
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    // Nothing the bundle fetches is outside its own origin.
    const code = await Promise.all(
      referenced.map(async (url) => (await app.inject({ method: 'GET', url })).body),
    );
    expect(code.join('\n')).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
  });

  it.each([
    ['an unknown asset', '/console/assets/nope.js'],
    ['a path out of the assets', '/console/assets/..%2F..%2Fpackage.json'],
    ['a file beside the page', '/console/index.html'],
  ])('when %s is asked for, then 404 ROUTE_NOT_FOUND as a problem', async (_case, url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
  });

  it('when the page is sent another method, then 405 with Allow', async () => {
    const response = await app.inject({ method: 'POST', url: '/console' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('when the console was not built, then /console says so with a 404 problem', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'console-empty-'));
    writeFileSync(join(empty, 'README'), 'no bundle here');
    const bare = await appWith(empty);
    try {
      const response = await bare.inject({ method: 'GET', url: '/console' });
      expect(response.statusCode).toBe(404);
      expect(response.json<{ code: string; detail: string }>()).toMatchObject({
        code: 'ROUTE_NOT_FOUND',
        detail: expect.stringContaining('npm run build'),
      });
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
