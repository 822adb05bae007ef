import { VerificationTokenService } from '@app/verification';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startApi } from '../support/apps';
import { createTestEnvironment, TEST_ADMIN_TOKEN, TestEnvironment } from '../support/test-environment';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let sequence = 0;
const uniqueEmail = () => `lifecycle${++sequence}.${Date.now()}@example.com`;

interface UserBody {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  status: string;
  updatedAt: string;
  erasedAt: string | null;
}

interface OutboxRow {
  exchange: string;
  routing_key: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
}

describe('user lifecycle API (real PostgreSQL, in-process Fastify)', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startApi(env.config());
  });

  afterAll(async () => {
    await app?.close();
    await env?.cleanup();
  });

  const register = async (overrides: Record<string, unknown> = {}): Promise<UserBody> => {
    const response = await app.inject({
      method: 'POST',
      url: '/users',
      payload: {
        email: uniqueEmail(),
        password: 'correct horse battery staple',
        firstName: 'Ada',
        lastName: 'Lovelace',
        ...overrides,
      },
    });
    expect(response.statusCode).toBe(201);
    return response.json<UserBody>();
  };
  const get = (id: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: `/users/${id}`, headers: { ...admin, ...headers } });
  const etagOf = async (id: string) => (await get(id)).headers.etag as string;
  const patch = (
    id: string,
    payload: unknown,
    headers: Record<string, string> = {},
    contentType = 'application/merge-patch+json',
  ) =>
    app.inject({
      method: 'PATCH',
      url: `/users/${id}`,
      payload: JSON.stringify(payload),
      headers: { ...admin, 'content-type': contentType, ...headers },
    });
  const erase = (id: string) => app.inject({ method: 'DELETE', url: `/users/${id}`, headers: admin });
  const events = (userId: string, routingKey?: string) =>
    env.query<OutboxRow>(
      `SELECT exchange, routing_key, payload, headers FROM outbox_messages
       WHERE payload->>'userId' = $1 AND ($2::text IS NULL OR routing_key = $2) ORDER BY created_at`,
      [userId, routingKey ?? null],
    );
  const row = async (id: string) =>
    (
      await env.query<Record<string, unknown>>(
        `SELECT email, first_name, last_name, password_hash, status, erased_at, version FROM users WHERE id = $1`,
        [id],
      )
    )[0];

  describe('GET /users/:id with ETags', () => {
    it('when a user is read, then the answer carries a strong ETag, and If-None-Match with it answers 304 without a body', async () => {
      const user = await register();

      const first = await get(user.id);
      const etag = first.headers.etag as string;
      const again = await get(user.id, { 'if-none-match': etag });

      expect(first.statusCode).toBe(200);
      expect(etag).toMatch(/^"\d+"$/);
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(etag);
      expect((await get(user.id, { 'if-none-match': `W/${etag}` })).statusCode).toBe(304);
    });

    it('when the worker changes the onboarding status, then the ETag changes and the old one no longer gives 304', async () => {
      const user = await register();
      const before = await etagOf(user.id);

      await env.query(`UPDATE users SET onboarding_status = 'completed' WHERE id = $1`, [user.id]);
      const response = await get(user.id, { 'if-none-match': before });

      expect(response.statusCode).toBe(200);
      expect(response.headers.etag).not.toBe(before);
      expect(response.json()).toMatchObject({ onboardingStatus: 'completed' });
      expect(new Date(response.json<UserBody>().updatedAt).getTime()).toBeGreaterThan(
        new Date(user.updatedAt).getTime(),
      );
    });

    it('when an UPDATE changes nothing, then the ETag stays', async () => {
      const user = await register();
      const before = await etagOf(user.id);

      await env.query(`UPDATE users SET first_name = first_name WHERE id = $1`, [user.id]);

      expect(await etagOf(user.id)).toBe(before);
    });
  });

  describe('PATCH /users/:id', () => {
    it('when If-Match is missing, then 428 PRECONDITION_REQUIRED and nothing changes', async () => {
      const user = await register();

      const response = await patch(user.id, { firstName: 'Grace' });

      expect(response.statusCode).toBe(428);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 428, code: 'PRECONDITION_REQUIRED' });
      expect(await row(user.id)).toMatchObject({ first_name: 'Ada', version: 1 });
    });

    it.each([
      ['a stale ETag', (etag: string) => `"${Number(etag.slice(1, -1)) + 5}"`],
      ['a weak ETag (If-Match compares strongly)', (etag: string) => `W/${etag}`],
      ['a tag this service never issues', () => '"not-a-version"'],
    ])('when If-Match has %s, then 412 PRECONDITION_FAILED and nothing changes', async (_, tagFor) => {
      const user = await register();
      const etag = await etagOf(user.id);

      const response = await patch(user.id, { firstName: 'Grace' }, { 'if-match': tagFor(etag) });

      expect(response.statusCode).toBe(412);
      expect(response.json()).toMatchObject({ status: 412, code: 'PRECONDITION_FAILED' });
      expect(await row(user.id)).toMatchObject({ first_name: 'Ada' });
      expect(await events(user.id, 'user.updated')).toEqual([]);
    });

    it('when If-Match is current, then 200 with the trimmed names and a new ETag, and user.updated names the changed fields only', async () => {
      const user = await register();
      const etag = await etagOf(user.id);

      const response = await patch(
        user.id,
        { firstName: '  Augusta Ada ', lastName: 'Lovelace' },
        { 'if-match': etag, 'x-request-id': 'patch-trace-1' },
      );

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: user.id, firstName: 'Augusta Ada', lastName: 'Lovelace' });
      expect(response.headers.etag).toMatch(/^"\d+"$/);
      expect(response.headers.etag).not.toBe(etag);
      expect(response.headers.etag).toBe(await etagOf(user.id));
      const updated = await events(user.id, 'user.updated');
      expect(updated).toEqual([
        {
          exchange: 'events',
          routing_key: 'user.updated',
          payload: {
            userId: user.id,
            updatedAt: response.json<UserBody>().updatedAt,
            changed: ['firstName'],
          },
          headers: { 'x-request-id': 'patch-trace-1' },
        },
      ]);
    });

    it('when the body is application/json and If-Match is *, then it is applied too', async () => {
      const user = await register();

      const response = await patch(user.id, { lastName: 'King' }, { 'if-match': '*' }, 'application/json');

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ lastName: 'King' });
    });

    it.each([
      ['an empty patch', {}],
      ['the current values', { firstName: 'Ada', lastName: ' Lovelace ' }],
    ])(
      'when the patch is %s, then 200 with the user unchanged, the same ETag and no event',
      async (_, body) => {
        const user = await register();
        const etag = await etagOf(user.id);

        const response = await patch(user.id, body, { 'if-match': etag });

        expect(response.statusCode).toBe(200);
        expect(response.headers.etag).toBe(etag);
        expect(response.json()).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });
        expect(await events(user.id, 'user.updated')).toEqual([]);
      },
    );

    it.each([
      ['a null first name', { firstName: null }, 'firstName', 'isString'],
      ['a null last name', { lastName: null }, 'lastName', 'isString'],
      ['an empty name after trimming', { firstName: '   ' }, 'firstName', 'isLength'],
      ['a 101-character name', { lastName: 'x'.repeat(101) }, 'lastName', 'isLength'],
      ['a control character', { firstName: 'Ada\u0007' }, 'firstName', 'matches'],
      ['a number', { firstName: 42 }, 'firstName', 'isString'],
      ['the email', { email: 'other@example.com' }, 'email', 'unknownField'],
      ['the status', { status: 'active' }, 'status', 'unknownField'],
      ['the password', { password: 'new password 123' }, 'password', 'unknownField'],
    ])(
      'when the patch has %s, then 400 VALIDATION_FAILED naming it, and nothing changes',
      async (_, body, field, code) => {
        const user = await register();
        const etag = await etagOf(user.id);

        const response = await patch(user.id, body, { 'if-match': etag });

        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect(response.json<{ errors: unknown[] }>().errors).toContainEqual(
          expect.objectContaining({ field, code }),
        );
        expect(await etagOf(user.id)).toBe(etag);
      },
    );

    it.each([
      ['a JSON array', '[]'],
      ['JSON null', 'null'],
    ])('when the body is %s, then 400 VALIDATION_FAILED', async (_, payload) => {
      const user = await register();

      const response = await app.inject({
        method: 'PATCH',
        url: `/users/${user.id}`,
        payload,
        headers: { ...admin, 'content-type': 'application/merge-patch+json', 'if-match': '*' },
      });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('when the merge patch is not valid JSON, then 400 MALFORMED_JSON', async () => {
      const user = await register();

      const response = await app.inject({
        method: 'PATCH',
        url: `/users/${user.id}`,
        payload: '{"firstName": ',
        headers: { ...admin, 'content-type': 'application/merge-patch+json', 'if-match': '*' },
      });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'MALFORMED_JSON' });
    });

    it('when the body is another media type, then 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const user = await register();

      const response = await patch(user.id, { firstName: 'X' }, { 'if-match': '*' }, 'text/plain');

      expect(response.statusCode).toBe(415);
    });

    it('when 10 PATCHes race with the same ETag, then exactly one answers 200, the others 412, and one event is written', async () => {
      const user = await register();
      const etag = await etagOf(user.id);

      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          patch(user.id, { firstName: `Racer ${index}` }, { 'if-match': etag }),
        ),
      );

      const statuses = responses.map((response) => response.statusCode).sort();
      expect(statuses).toEqual([200, ...Array<number>(9).fill(412)]);
      const winner = responses.find((response) => response.statusCode === 200)!;
      expect((await row(user.id))?.first_name).toBe(winner.json<UserBody>().firstName);
      expect(await events(user.id, 'user.updated')).toHaveLength(1);
    });

    it('when no user has the id, then 404 USER_NOT_FOUND', async () => {
      const response = await patch(randomUUID(), { firstName: 'X' }, { 'if-match': '*' });

      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'USER_NOT_FOUND' });
    });

    it('when the user was erased, then 409 USER_ERASED, even with its current ETag', async () => {
      const user = await register();
      await erase(user.id);

      const response = await patch(user.id, { firstName: 'Back' }, { 'if-match': await etagOf(user.id) });

      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ code: 'USER_ERASED' });
    });

    it('when no bearer token is given, then 401', async () => {
      const response = await app.inject({
        method: 'PATCH',
        url: `/users/${randomUUID()}`,
        payload: '{}',
        headers: { 'content-type': 'application/merge-patch+json', 'if-match': '*' },
      });

      expect(response.statusCode).toBe(401);
    });
  });

  describe('DELETE /users/:id', () => {
    it('when a user is erased, then 204, its personal data and tokens are gone, and user.erased carries only id and time', async () => {
      const email = uniqueEmail();
      const user = await register({ email, firstName: 'Erin', lastName: 'Erasable' });
      const dataSource = app.get(DataSource);
      await dataSource.transaction((manager) =>
        app.get(VerificationTokenService).issueForStep(manager, user.id, randomUUID()),
      );
      expect(
        await env.query('SELECT id FROM verification_tokens WHERE user_id = $1', [user.id]),
      ).toHaveLength(1);

      const response = await erase(user.id);

      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      const stored = await row(user.id);
      expect(stored).toMatchObject({
        email: `erased+${user.id}@erased.invalid`,
        first_name: null,
        last_name: null,
        password_hash: null,
        status: 'erased',
        erased_at: expect.any(Date),
      });
      expect(await env.query('SELECT id FROM verification_tokens WHERE user_id = $1', [user.id])).toEqual([]);
      const read = (await get(user.id)).json<UserBody>();
      expect(read).toMatchObject({
        status: 'erased',
        firstName: null,
        lastName: null,
        erasedAt: expect.any(String),
      });
      expect(await events(user.id, 'user.erased')).toEqual([
        expect.objectContaining({ payload: { userId: user.id, erasedAt: read.erasedAt } }),
      ]);
    });

    it('when a user is erased twice, then both answer 204 and there is one user.erased event', async () => {
      const user = await register();

      const first = await erase(user.id);
      const erasedAt = (await row(user.id))?.erased_at;
      const second = await erase(user.id);

      expect([first.statusCode, second.statusCode]).toEqual([204, 204]);
      expect((await row(user.id))?.erased_at).toEqual(erasedAt);
      expect(await events(user.id, 'user.erased')).toHaveLength(1);
    });

    it("when an erased user's email registers again, then 201 with a new user", async () => {
      const email = uniqueEmail();
      const user = await register({ email });
      await erase(user.id);

      const again = await register({ email: email.toUpperCase() });

      expect(again.id).not.toBe(user.id);
      expect(again.email).toBe(email);
    });

    it('when no user has the id, then 404 USER_NOT_FOUND', async () => {
      const response = await erase(randomUUID());

      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'USER_NOT_FOUND' });
    });

    it('when no bearer token is given, then 401 and nothing is erased', async () => {
      const user = await register();

      const response = await app.inject({ method: 'DELETE', url: `/users/${user.id}` });

      expect(response.statusCode).toBe(401);
      expect(await row(user.id)).toMatchObject({ status: 'pending_verification' });
    });
  });

  describe('GET /users with filters', () => {
    type Page = { items: UserBody[]; nextCursor: string | null };
    const list = async (query: string): Promise<UserBody[]> => {
      const seen: UserBody[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/users?limit=2&${query}${cursor ? `&cursor=${cursor}` : ''}`;
        const response = await app.inject({ method: 'GET', url, headers: admin });
        expect(response.statusCode).toBe(200);
        const page = response.json<Page>();
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };

    it('when filtering by status, email and creation range, then paging through each gives exactly the matching users', async () => {
      const from = new Date();
      const created = [
        await register(),
        await register(),
        await register(),
        await register(),
        await register(),
      ];
      const to = new Date(Date.now() + 1);
      await erase(created[1].id);
      await erase(created[3].id);
      const range = `createdFrom=${from.toISOString()}&createdTo=${to.toISOString()}`;

      const all = await list(range);
      const erased = await list(`status=erased&${range}`);
      const pending = await list(`status=pending_verification&${range}`);
      const byEmail = await list(`email=${encodeURIComponent(`  ${created[2].email.toUpperCase()} `)}`);

      expect(all.map((user) => user.id)).toEqual(created.map((user) => user.id));
      expect(erased.map((user) => user.id)).toEqual([created[1].id, created[3].id]);
      expect(pending.map((user) => user.id)).toEqual([created[0].id, created[2].id, created[4].id]);
      expect(byEmail.map((user) => user.id)).toEqual([created[2].id]);
      expect(await list(`createdFrom=${to.toISOString()}&createdTo=${to.toISOString()}`)).toEqual([]);
    });

    it.each([
      ['status=bogus'],
      ['email=not-an-email'],
      ['createdFrom=yesterday'],
      ['createdTo=2026-13-01T00:00:00Z'],
      // Valid ISO 8601 that JavaScript cannot parse (a week date, an ordinal date), or would read in local time.
      ['createdFrom=2026-W48-1'],
      ['createdFrom=2026-335'],
      ['createdTo=2026-12-01T10:00:00'],
    ])('when the filter is %s, then 400 VALIDATION_FAILED', async (query) => {
      const response = await app.inject({ method: 'GET', url: `/users?${query}`, headers: admin });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('events and documentation', () => {
    it('when users were registered, patched and erased, then no event carries personal data or password material', async () => {
      const email = uniqueEmail();
      const user = await register({ email, firstName: 'Pii', lastName: 'Probe' });
      await patch(user.id, { firstName: 'Changed Name' }, { 'if-match': await etagOf(user.id) });
      await erase(user.id);

      const rows = await env.query<OutboxRow>(
        'SELECT exchange, routing_key, payload, headers FROM outbox_messages',
      );

      const allowed: Record<string, string[]> = {
        'user.registered': ['registeredAt', 'userId'],
        'user.updated': ['changed', 'updatedAt', 'userId'],
        'user.erased': ['erasedAt', 'userId'],
      };
      for (const outbox of rows) {
        expect(Object.keys(outbox.payload).sort()).toEqual(allowed[outbox.routing_key]);
      }
      const text = JSON.stringify(rows);
      for (const secret of [email, 'Pii', 'Probe', 'Changed Name', 'correct horse', 'argon2']) {
        expect(text).not.toContain(secret);
      }
    });

    it('when /docs-json is fetched, then the lifecycle routes document ETag, If-Match and their problems', async () => {
      const document = (await app.inject({ method: 'GET', url: '/docs-json' })).json<{
        paths: Record<
          string,
          Record<
            string,
            { responses: Record<string, { headers?: object }>; parameters?: { name: string; in: string }[] }
          >
        >;
      }>();

      const one = document.paths['/users/{id}'];
      expect(one.get.responses['200'].headers).toHaveProperty('ETag');
      expect(one.get.responses).toHaveProperty('304');
      expect(one.get.parameters).toContainEqual(
        expect.objectContaining({ name: 'If-None-Match', in: 'header' }),
      );
      expect(one.patch.parameters).toContainEqual(
        expect.objectContaining({ name: 'If-Match', in: 'header' }),
      );
      expect(Object.keys(one.patch.responses)).toEqual(
        expect.arrayContaining(['200', '400', '401', '404', '409', '412', '415', '428']),
      );
      expect(one.delete.responses).toHaveProperty('204');
      const listParameters = (document.paths['/users'].get.parameters ?? []).map(
        (parameter) => parameter.name,
      );
      expect(listParameters).toEqual(expect.arrayContaining(['status', 'email', 'createdFrom', 'createdTo']));
    });
  });
});
