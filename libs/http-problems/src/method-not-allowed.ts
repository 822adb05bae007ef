import type { FastifyInstance } from 'fastify';
import { problemFor } from './problem-mapping';
import { requestPath, sendProblem } from './problem-response';

interface KnownRoute {
  pattern: RegExp;
  methods: Set<string>;
}

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `/users/:id` → a RegExp for concrete paths (`:param` one segment, `*` the rest). */
function compile(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment === '*'
        ? '.*'
        : segment.startsWith(':')
          ? '[^/]+'
          : escapeRegExp(segment).replace(/\\\*$|\*$/, '.*'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Fastify answers a known path with an unknown method 404, as if the path did not exist. This answers it 405
 * with `Allow` (RFC 9110, section 15.5.6) instead, and a plain `OPTIONS` (not a CORS preflight, which the CORS
 * plugin answers) 204 with `Allow` on a known path, 404 elsewhere. Routes are recorded as they are registered,
 * so call this before the app registers its routes (before `init()`) and before the CORS plugin.
 */
export function useMethodNotAllowed(fastify: FastifyInstance): void {
  const routes = new Map<string, KnownRoute>();
  fastify.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url === '/*') return;
    const known = routes.get(route.url) ?? { pattern: compile(route.url), methods: new Set<string>() };
    for (const method of [route.method].flat()) known.methods.add(method.toUpperCase());
    routes.set(route.url, known);
  });
  const allowedFor = (path: string): string[] => {
    const methods = new Set<string>();
    for (const route of routes.values()) {
      if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    }
    return [...methods];
  };
  const allowHeader = (allowed: string[]) => [...new Set([...allowed, 'OPTIONS'])].sort().join(', ');
  fastify.addHook('onRequest', async (request, reply) => {
    const preflight = request.headers.origin && request.headers['access-control-request-method'];
    if (request.method === 'OPTIONS' && !preflight) {
      const allowed = allowedFor(requestPath(request.url));
      if (allowed.length === 0) {
        return sendProblem(
          request,
          reply,
          problemFor('ROUTE_NOT_FOUND', { detail: `no route ${requestPath(request.url)}` }),
        );
      }
      return reply.status(204).header('Allow', allowHeader(allowed)).send();
    }
    if (!request.is404) return;
    const allowed = allowedFor(requestPath(request.url));
    // Answered here, before Fastify reads the body: an unknown route gets its 404 whatever it was sent.
    if (allowed.length === 0) {
      return sendProblem(
        request,
        reply,
        problemFor('ROUTE_NOT_FOUND', { detail: `Cannot ${request.method} ${requestPath(request.url)}` }),
      );
    }
    const allow = allowHeader(allowed);
    return sendProblem(
      request,
      reply,
      problemFor('METHOD_NOT_ALLOWED', {
        detail: `${request.method} is not supported here; use ${allow}`,
        headers: { Allow: allow },
      }),
    );
  });
}
