import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, startApi } from '../support/apps';
import { createTestEnvironment, TEST_ADMIN_TOKEN, TestEnvironment } from '../support/test-environment';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let sequence = 0;
const uniqueEmail = () => `user${++sequence}.${Date.now()}@example.com`;
const validBody = (overrides: Record<string, unknown> = {}) => ({
  email: uniqueEmail(),
  password: 'correct horse battery staple',
  firstName: 'Ada',
  lastName: 'Lovelace',
  ...overrides,
});

describe('users API (real PostgreSQL, in-process Fastify)', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  const logs = new LogCapture();

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startApi(env.config({ HTTP_BODY_LIMIT_BYTES: '4096', LOG_LEVEL: 'debug' }), { logs });
  });

  afterAll(async () => {
    await app?.close();
    await env?.cleanup();
  });

  const register = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/users', payload: payload as object, headers });

  describe('POST /users', () => {
    it('when the body is valid, then 201 with Location and the user, without password or hash', async () => {
      const body = validBody({ email: '  Grace.Hopper@Example.COM ' });

      const response = await register(body);

      expect(response.statusCode).toBe(201);
      const user = response.json();
      expect(response.headers.location).toBe(`/users/${user.id}`);
      expect(user).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: 'grace.hopper@example.com',
        firstName: 'Ada',
        lastName: 'Lovelace',
        status: 'pending_verification',
        onboardingStatus: 'pending',
        emailVerifiedAt: null,
        verificationMethod: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        erasedAt: null,
      });
      expect(response.body).not.toContain(body.password);
      expect(response.body).not.toContain('argon2');
    });

    it('when a user registers, then the password is stored only as an argon2id hash with OWASP parameters', async () => {
      const body = validBody();

      const { id } = (await register(body)).json<{ id: string }>();

      const [row] = await env.query<{ password_hash: string }>(
        'SELECT password_hash FROM users WHERE id = $1',
        [id],
      );
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(row.password_hash).not.toContain(body.password);
    });

    it('when a user registers, then the user row and a user.registered outbox row exist, with the request id', async () => {
      const response = await register(validBody(), { 'x-request-id': 'client-trace-123' });

      const { id, createdAt } = response.json<{ id: string; createdAt: string }>();
      expect(response.headers['x-request-id']).toBe('client-trace-123');
      const outbox = await env.query<{ routing_key: string; payload: unknown; headers: unknown }>(
        `SELECT routing_key, payload, headers FROM outbox_messages WHERE payload->>'userId' = $1`,
        [id],
      );
      expect(outbox).toEqual([
        {
          routing_key: 'user.registered',
          payload: { userId: id, registeredAt: createdAt },
          headers: { 'x-request-id': 'client-trace-123' },
        },
      ]);
    });

    it('when the email is already registered, in any case or with spaces, then 409 USER_EMAIL_TAKEN', async () => {
      const email = uniqueEmail();
      expect((await register(validBody({ email }))).statusCode).toBe(201);

      for (const variant of [email, email.toUpperCase(), `  ${email.replace(/^u/, 'U')} `]) {
        const response = await register(validBody({ email: variant }));
        expect(response.statusCode).toBe(409);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.json()).toMatchObject({ status: 409, code: 'USER_EMAIL_TAKEN', instance: '/users' });
      }
      const rows = await env.query('SELECT id FROM users WHERE lower(email) = $1', [email]);
      expect(rows).toHaveLength(1);
    });

    it('when 20 registrations of one email race, then exactly one user and one event exist', async () => {
      const email = uniqueEmail();

      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          register(validBody({ email: index % 2 ? email.toUpperCase() : email })),
        ),
      );

      const statuses = responses.map((response) => response.statusCode).sort();
      expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
      const users = await env.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = $1', [email]);
      expect(users).toHaveLength(1);
      const events = await env.query(`SELECT id FROM outbox_messages WHERE payload->>'userId' = $1`, [
        users[0].id,
      ]);
      expect(events).toHaveLength(1);
    });

    it.each([
      ['a missing field', { password: 'long enough pw', firstName: 'A', lastName: 'B' }, 'email', 'isEmail'],
      ['an unknown field', { ...validBody(), isAdmin: true }, 'isAdmin', 'unknownField'],
      ['a malformed email', validBody({ email: 'not-an-email' }), 'email', 'isEmail'],
      ['a non-string email', validBody({ email: 42 }), 'email', 'isString'],
      ['a 7-character password', validBody({ password: '1234567' }), 'password', 'isLength'],
      ['a 129-character password', validBody({ password: 'x'.repeat(129) }), 'password', 'isLength'],
      ['7 emoji as password', validBody({ password: '🔒'.repeat(7) }), 'password', 'isLength'],
      ['an empty first name', validBody({ firstName: '   ' }), 'firstName', 'isLength'],
      ['a 101-character last name', validBody({ lastName: 'x'.repeat(101) }), 'lastName', 'isLength'],
      ['a control character in a name', validBody({ firstName: 'Ada\u0007' }), 'firstName', 'nameCharacters'],
      [
        'a bidi override in a name',
        validBody({ lastName: 'Ada\u202eecalevol' }),
        'lastName',
        'nameCharacters',
      ],
      [
        'a zero-width space in the email',
        validBody({ email: 'ada\u200b@example.com' }),
        'email',
        'emailCharacters',
      ],
      [
        'a right-to-left override in the email',
        validBody({ email: 'ada\u202e@example.com' }),
        'email',
        'emailCharacters',
      ],
      [
        'a 65-octet local part',
        validBody({ email: `${'a'.repeat(65)}@example.com` }),
        'email',
        'emailLength',
      ],
      ['a common password', validBody({ password: 'Password1' }), 'password', 'commonPassword'],
      [
        'a password containing the email local part',
        validBody({ email: 'grace.hopper@example.com', password: 'my grace.hopper pass' }),
        'password',
        'containsEmail',
      ],
      ['a null body field', validBody({ lastName: null }), 'lastName', 'isString'],
    ])(
      'when the body has %s, then 400 VALIDATION_FAILED naming the field, and nothing is stored',
      async (_, body, field, code) => {
        const before = await env.query<{ count: string }>('SELECT count(*) FROM users');

        const response = await register(body);

        expect(response.statusCode).toBe(400);
        expect(response.headers['content-type']).toContain('application/problem+json');
        const problem = response.json<{ code: string; errors: { field: string; code: string }[] }>();
        expect(problem.code).toBe('VALIDATION_FAILED');
        expect(problem.errors).toContainEqual(expect.objectContaining({ field, code }));
        expect(response.body).not.toContain('correct horse');
        expect(await env.query('SELECT count(*) FROM users')).toEqual(before);
      },
    );

    it('when the email has an internationalised domain, then it is stored with the domain in A-label form', async () => {
      const local = `idn${Date.now()}`;

      const response = await register(validBody({ email: `${local}@Bücher.DE` }));

      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ email: `${local}@xn--bcher-kva.de` });
    });

    it('when a name is typed decomposed, then it is stored composed (NFC)', async () => {
      const response = await register(validBody({ firstName: 'Zoe\u0308' }));

      expect(response.json()).toMatchObject({ firstName: 'Zo\u00eb' });
    });

    it('when a field holds a lone surrogate, then 400 MALFORMED_JSON (not a 500) and nothing is stored', async () => {
      const before = await env.query('SELECT count(*) FROM users');

      const response = await app.inject({
        method: 'POST',
        url: '/users',
        payload:
          '{"email":"\\ud800","password":"correct horse battery staple","firstName":"A","lastName":"B"}',
        headers: { 'content-type': 'application/json' },
      });

      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'MALFORMED_JSON' });
      expect(await env.query('SELECT count(*) FROM users')).toEqual(before);
    });

    it('when the password is refused, then the answer names the rule and never echoes the password', async () => {
      const response = await register(validBody({ password: 'qwertyuiop' }));

      expect(response.json()).toMatchObject({ errors: [{ field: 'password', code: 'commonPassword' }] });
      expect(response.body).not.toContain('qwertyuiop');
    });

    it('when the password is 8 emoji (16 UTF-16 units) or 128 emoji, then it is accepted: characters are counted', async () => {
      expect((await register(validBody({ password: '🔒'.repeat(8) }))).statusCode).toBe(201);
      expect((await register(validBody({ password: '🔒'.repeat(128) }))).statusCode).toBe(201);
    });

    it.each([
      ['a JSON array', '[]'],
      ['a JSON string', '"hello"'],
      ['JSON null', 'null'],
    ])('when the body is %s, then 400 VALIDATION_FAILED', async (_, payload) => {
      const response = await app.inject({
        method: 'POST',
        url: '/users',
        payload,
        headers: { 'content-type': 'application/json' },
      });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it.each([
      ['truncated JSON', '{"email": "a@b.c", '],
      ['an empty body', ''],
      ['a prototype-poisoning key', '{"__proto__": {"isAdmin": true}}'],
    ])('when the body is %s, then 400 MALFORMED_JSON', async (_, payload) => {
      const response = await app.inject({
        method: 'POST',
        url: '/users',
        payload,
        headers: { 'content-type': 'application/json' },
      });

      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    });

    it('when the body is over the configured limit, then 413 PAYLOAD_TOO_LARGE', async () => {
      const response = await register(validBody({ firstName: 'x'.repeat(5000) }));

      expect(response.statusCode).toBe(413);
      expect(response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    });

    it('when the body is not JSON, then 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/users',
        payload: 'email=a@b.c',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });

      expect(response.statusCode).toBe(415);
      expect(response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });
  });

  describe('GET /users/:id', () => {
    it('when the user exists, then 200 with the user', async () => {
      const created = (await register(validBody())).json<{ id: string }>();

      const response = await app.inject({ method: 'GET', url: `/users/${created.id}`, headers: admin });

      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(created);
    });

    it('when no user has the id, then 404 USER_NOT_FOUND', async () => {
      const response = await app.inject({
        method: 'GET',
        url: '/users/00000000-0000-4000-8000-000000000000',
        headers: admin,
      });

      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'USER_NOT_FOUND' });
    });

    it('when the id is not a UUID, then 400 VALIDATION_FAILED on id', async () => {
      const response = await app.inject({ method: 'GET', url: '/users/42', headers: admin });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'id', code: 'isUuid' }],
      });
    });

    it.each([
      ['no Authorization header', {}],
      ['a wrong token', { authorization: 'Bearer wrong-token-0123456789' }],
      ['a token with a different case', { authorization: `Bearer ${TEST_ADMIN_TOKEN.toUpperCase()}` }],
      ['another scheme', { authorization: `Basic ${TEST_ADMIN_TOKEN}` }],
    ])('when the request has %s, then 401 UNAUTHORIZED with a Bearer challenge', async (_, headers) => {
      const response = await app.inject({
        method: 'GET',
        url: '/users/00000000-0000-4000-8000-000000000000',
        headers,
      });

      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('Bearer');
      expect(response.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    });
  });

  describe('GET /users', () => {
    it('when paging with a limit, then every user appears once, in (createdAt, id) order', async () => {
      for (let i = 0; i < 5; i++) await register(validBody());
      const all = await env.query<{ id: string }>('SELECT id FROM users ORDER BY created_at, id');

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
        const page = (await app.inject({ method: 'GET', url: `/users${query}`, headers: admin })).json<{
          items: { id: string }[];
          nextCursor: string | null;
        }>();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((user) => user.id));
        cursor = page.nextCursor;
      } while (cursor);

      expect(seen).toEqual(all.map((row) => row.id));
    });

    it.each([
      ['limit=0', 'VALIDATION_FAILED'],
      ['limit=101', 'VALIDATION_FAILED'],
      ['limit=abc', 'VALIDATION_FAILED'],
      ['cursor=bm90LWEtY3Vyc29y', 'INVALID_CURSOR'],
    ])('when the query is %s, then 400 %s', async (query, code) => {
      const response = await app.inject({ method: 'GET', url: `/users?${query}`, headers: admin });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code });
    });

    it('when no token is given, then 401', async () => {
      expect((await app.inject({ method: 'GET', url: '/users' })).statusCode).toBe(401);
    });
  });

  describe('documentation and logs', () => {
    it('when /docs-json is fetched, then every route, the bearer scheme and problem responses are documented', async () => {
      const document = (await app.inject({ method: 'GET', url: '/docs-json' })).json<{
        paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
        components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
      }>();

      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(['/users', '/users/{id}', '/health/live', '/health/ready']),
      );
      expect(document.components.securitySchemes.admin).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(document.paths['/users'].post.responses).toHaveProperty('409');
      expect(document.paths['/users/{id}'].get.security).toEqual([{ admin: [] }]);
      expect(document.components.schemas).toHaveProperty('ProblemDetailsDto');
      expect(document.components.schemas).toHaveProperty('RegisterUserDto');
    });

    it('when /docs is fetched, then Swagger UI is served', async () => {
      const response = await app.inject({ method: 'GET', url: '/docs' });

      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('swagger-ui');
    });

    it('when requests carry passwords and tokens, then neither appears in any log line', async () => {
      await register(validBody({ password: 'super-secret-password-1' }));
      await app.inject({ method: 'GET', url: '/users', headers: admin });

      expect(logs.lines.length).toBeGreaterThan(0);
      expect(logs.text).not.toContain('super-secret-password-1');
      expect(logs.text).not.toContain(TEST_ADMIN_TOKEN);
    });
  });
});
