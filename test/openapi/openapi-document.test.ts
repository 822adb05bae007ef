import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startApi } from '../support/apps';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';
import { isAdmin, type OpenApiDocument, operationsOf, type Response } from './support/openapi-operations';

const PUBLIC = [
  'POST /users',
  'POST /users/verify-email',
  'POST /users/verify-email/resend',
  'GET /health/live',
  'GET /health/ready',
];

const headerNames = (response: Response | undefined) => Object.keys(response?.headers ?? {});

/** What the document promises a client, operation by operation (routes added later are checked too). */
describe('the OpenAPI document', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  let document: OpenApiDocument;

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startApi(env.config());
    document = (await app.inject({ method: 'GET', url: '/docs-json' })).json<OpenApiDocument>();
  });

  afterAll(async () => {
    await app?.close();
    await env?.cleanup();
  });

  it('when an operation is public, then it declares security: []; when admin, the bearer scheme, 401 and 429', () => {
    for (const { method, path, operation } of operationsOf(document)) {
      const where = `${method} ${path}`;
      expect({ where, security: operation.security }).toEqual({
        where,
        security: PUBLIC.includes(where) ? [] : [{ admin: [] }],
      });
      if (isAdmin(operation)) {
        expect({ where, statuses: Object.keys(operation.responses) }).toEqual({
          where,
          statuses: expect.arrayContaining(['401', '429']),
        });
      }
    }
  });

  it('when the bearer scheme is read, then it says the token is opaque', () => {
    expect(document.components.securitySchemes.admin).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque',
    });
  });

  it('when any operation is read, then 500 is documented, and 415 wherever a body is taken', () => {
    for (const { method, path, operation } of operationsOf(document)) {
      const statuses = Object.keys(operation.responses);
      expect({ where: `${method} ${path}`, has500: statuses.includes('500') }).toEqual({
        where: `${method} ${path}`,
        has500: true,
      });
      if (operation.requestBody) expect(statuses).toContain('415');
    }
  });

  it('when POST /users is read, then Location, Idempotency-Key, RateLimit and Retry-After are declared where they occur', () => {
    const register = document.paths['/users'].post;

    expect(headerNames(register.responses['201'])).toEqual(
      expect.arrayContaining([
        'Location',
        'Idempotent-Replayed',
        'RateLimit',
        'RateLimit-Policy',
        'X-Request-Id',
      ]),
    );
    expect(headerNames(register.responses['429'])).toEqual(
      expect.arrayContaining(['Retry-After', 'RateLimit']),
    );
    expect(headerNames(register.responses['503'])).toContain('Retry-After');
    expect(register.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
    );
    expect(Object.keys(register.responses)).toEqual(
      expect.arrayContaining(['409', '415', '422', '429', '500', '503']),
    );
  });

  it('when parameters and schemas are read, then none is typed as a bare object (Swagger UI cannot fill those in)', () => {
    const text = JSON.stringify(document);

    expect(text).not.toContain('#/components/schemas/Object');
    for (const { operation } of operationsOf(document)) {
      for (const parameter of operation.parameters ?? []) expect(parameter.schema?.type).not.toBe('object');
    }
  });
});
