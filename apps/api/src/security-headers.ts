import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

type ContentSecurityPolicy = NonNullable<Parameters<typeof helmet.contentSecurityPolicy>[0]>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's own Content-Security-Policy, in place of the API's (the console's stricter one). */
    contentSecurityPolicy?: ContentSecurityPolicy;
  }
}

type Middleware = ReturnType<typeof helmet>;

/**
 * helmet's headers on every answer, those of hooks (405, 503 while draining) and errors included, with `options`
 * or, for a route whose config has a `contentSecurityPolicy`, with that policy instead. Each policy's middleware
 * is built once: @fastify/helmet built it anew for every request, which cost the cheapest routes a fifth of their
 * CPU (bench/README.md).
 */
export function useSecurityHeaders(fastify: FastifyInstance, options: HelmetOptions): void {
  const standard = helmet(options);
  const ofRoutes = new WeakMap<ContentSecurityPolicy, Middleware>();
  const middlewareOf = (policy: ContentSecurityPolicy | undefined): Middleware => {
    if (!policy) return standard;
    let middleware = ofRoutes.get(policy);
    if (!middleware) {
      middleware = helmet({ ...options, contentSecurityPolicy: policy });
      ofRoutes.set(policy, middleware);
    }
    return middleware;
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    middlewareOf(request.routeOptions.config.contentSecurityPolicy)(request.raw, reply.raw, (error) =>
      done(error as Error | undefined),
    );
  });
}
