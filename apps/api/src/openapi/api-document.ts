import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ADMIN_SECURITY_SCHEME } from '../auth/admin-route.decorator';
import { discoverApiRoutes } from './api-routes';
import { applyRouteConventions } from './route-conventions';

/** Descriptions of the tags the controllers use; a tag missing here is still declared, with a generic line. */
const TAG_DESCRIPTIONS: Record<string, string> = {
  users: 'Registration (public) and the admin views of users and their onboarding',
  'dead-letters': 'The dead-letter ledger: inspect, replay or discard messages that failed for good (admin)',
  onboarding: "A user's onboarding: every step's units on a timeline, and the retry of a failed step (admin)",
  stats: 'Operator statistics behind the console: the onboarding funnel by hour (admin)',
  health: 'Kubernetes probes',
};

const DESCRIPTION = [
  'Registers users and onboards them asynchronously.',
  '',
  'Errors are RFC 9457 `application/problem+json` with a stable `code`; each operation lists the codes it',
  'can answer, with an example that is the real answer. On any path, an unsupported method answers `405`',
  '`METHOD_NOT_ALLOWED` with `Allow`, an unknown path `404` `ROUTE_NOT_FOUND`, a URL that cannot be decoded',
  '(or has `%00`) `400` `MALFORMED_URL`, a path segment over 100 characters `414` `URI_TOO_LONG`, and headers',
  'over 16 KiB `431` `REQUEST_HEADERS_TOO_LARGE`. While an instance shuts down, what still reaches it answers',
  '`503` `SHUTTING_DOWN` with `Retry-After`.',
  '',
  'Admin routes take `Authorization: Bearer <token>` with one of `ADMIN_TOKENS`. Public and admin routes are',
  'rate-limited (429 with `Retry-After` and the `RateLimit` / `RateLimit-Policy` headers of',
  'draft-ietf-httpapi-ratelimit-headers-09).',
].join('\n');

/**
 * The OpenAPI document of the API, as `/docs-json` serves it: what @nestjs/swagger reads from the decorators,
 * completed by the route conventions (security, error answers and headers; see route-conventions.ts). Tests
 * and the OpenAPI lint build it with this same function.
 */
export async function createApiDocument(app: INestApplication): Promise<OpenAPIObject> {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Onboarding service')
      .setDescription(DESCRIPTION)
      .setVersion('0.1.0')
      .setLicense('MIT', 'https://opensource.org/license/mit')
      .addServer('/', 'The server this document is served from')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'opaque',
          description: 'One of ADMIN_TOKENS: an opaque token (not a JWT), compared in constant time',
        },
        ADMIN_SECURITY_SCHEME,
      )
      .build(),
  );
  document.info.contact = { name: 'The maintainers of the onboarding service (see README.md)' };
  await applyRouteConventions(document, discoverApiRoutes(app));
  const used = new Set(
    Object.values(document.paths).flatMap((item) =>
      Object.values(item).flatMap((operation) => (operation as { tags?: string[] }).tags ?? []),
    ),
  );
  document.tags = [...used].sort().map((name) => ({
    name,
    description: TAG_DESCRIPTIONS[name] ?? `The ${name} routes`,
  }));
  return document;
}
