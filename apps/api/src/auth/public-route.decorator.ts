const PUBLIC_ROUTE = Symbol('public-route');

/**
 * A route anyone may call: documented with `security: []` (no credentials). Every route without the admin
 * guard is documented that way (apps/api/src/openapi/route-conventions.ts); the decorator says so where a
 * reader looks, and the OpenAPI test fails if a route marked public sits behind the admin guard. Combine it
 * with `@RateLimit(policy)` from @app/rate-limiting, as a public route that costs something (argon2, a mail)
 * must be:
 *
 * ```ts
 * @Post('verify-email/resend')
 * @PublicRoute()
 * @RateLimit('verification')
 * resend(...) {}
 * ```
 */
export const PublicRoute =
  (): ClassDecorator & MethodDecorator =>
  (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    Reflect.defineMetadata(PUBLIC_ROUTE, true, (descriptor?.value as object | undefined) ?? target);
  };

/** Whether a handler or its controller is marked `@PublicRoute()`. */
export const isMarkedPublic = (...targets: object[]): boolean =>
  targets.some((target) => Reflect.getMetadata(PUBLIC_ROUTE, target) === true);
