import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { LogCapture, startApi } from '../support/apps';
import { createTestEnvironment, TEST_ADMIN_TOKEN, TestEnvironment } from '../support/test-environment';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
/** Example names do not resolve here; a name that does not resolve yet is accepted (delivery checks again). */
const URL_OK = 'https://hooks.example.com/onboarding';

interface EndpointBody {
  id: string;
  url: string;
  events: string[];
  secret?: string;
}

/** The webhooks admin API against the real PostgreSQL, in-process, with the SSRF guard on (the default). */
describe('webhooks API (real PostgreSQL, in-process Fastify)', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  const logs = new LogCapture();

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startApi(env.config({ LOG_LEVEL: 'debug' }), { logs });
  });

  afterAll(async () => {
    await app?.close();
    await env?.cleanup();
  });

  const request = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: admin, payload: payload as object });

  const create = async (url = URL_OK, events = ['user.registered']) => {
    const response = await request('POST', '/webhooks', { url, events });
    expect(response.statusCode).toBe(201);
    return response.json<EndpointBody>();
  };

  const registeredUser = async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/users',
      payload: {
        email: `hooks.${randomUUID()}@example.com`,
        password: 'correct horse battery staple',
        firstName: 'Ada',
        lastName: 'Lovelace',
      },
    });
    return response.json<{ id: string }>().id;
  };

  const endpointCount = async () =>
    Number((await env.query<{ n: string }>('SELECT count(*) AS n FROM webhook_endpoints'))[0].n);

  describe('registration', () => {
    it('when an endpoint is registered, then 201 with its id, normalised URL, events and a whsec_ secret', async () => {
      const response = await request('POST', '/webhooks', {
        url: 'https://Hooks.Example.com:443/onboarding?team=a',
        events: ['user.verified', 'user.registered'],
      });

      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        url: 'https://hooks.example.com/onboarding?team=a',
        events: ['user.verified', 'user.registered'],
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        secretRotatedAt: null,
        previousSecretExpiresAt: null,
      });
    });

    it.each([
      ['no URL', { events: ['user.registered'] }],
      ['not a URL', { url: 'not a url', events: ['user.registered'] }],
      ['a relative URL', { url: '/hooks', events: ['user.registered'] }],
      ['another scheme', { url: 'ftp://hooks.example.com/x', events: ['user.registered'] }],
      ['a URL over 2048 characters', { url: `${URL_OK}?${'a'.repeat(2048)}`, events: ['user.registered'] }],
      ['no events', { url: URL_OK }],
      ['an empty event list', { url: URL_OK, events: [] }],
      ['an unknown event', { url: URL_OK, events: ['user.teleported'] }],
      ['a repeated event', { url: URL_OK, events: ['user.registered', 'user.registered'] }],
      ['an event that is not a string', { url: URL_OK, events: [1] }],
      ['an unknown field', { url: URL_OK, events: ['user.registered'], secret: 'whsec_mine' }],
    ])('when the body has %s, then 400 VALIDATION_FAILED and nothing is stored', async (_, body) => {
      const before = await endpointCount();

      const response = await request('POST', '/webhooks', body);

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await endpointCount()).toBe(before);
    });

    it.each([
      ['plain http', 'http://hooks.example.com/onboarding', /only https/],
      ['credentials in the URL', 'https://user:pass@hooks.example.com/x', /credentials/],
      ['a loopback address', 'https://127.0.0.1/x', /not a public address/],
      ['a loopback name', 'https://api.localhost/x', /loopback name/],
      ['a private address', 'https://172.16.5.4/x', /not a public address/],
      ['an IPv6 unique local address', 'https://[fd12:3456::1]/x', /not a public address/],
      ['an IPv4-mapped IPv6 loopback address', 'https://[::ffff:7f00:1]/x', /not a public address/],
      ['the cloud metadata address', 'https://169.254.169.254/latest', /not a public address/],
    ])(
      'when the URL is %s, then 400 WEBHOOK_URL_NOT_ALLOWED and nothing is stored',
      async (_, url, detail) => {
        const before = await endpointCount();

        const response = await request('POST', '/webhooks', { url, events: ['user.registered'] });

        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({
          code: 'WEBHOOK_URL_NOT_ALLOWED',
          detail: expect.stringMatching(detail),
        });
        expect(await endpointCount()).toBe(before);
      },
    );
  });

  describe('the secret', () => {
    it('when an endpoint is read, listed or rotated, then its secret is never shown again, is stored sealed, and no log line has it', async () => {
      const created = await create();
      const secret = created.secret!;

      const read = await request('GET', `/webhooks/${created.id}`);
      const list = await request('GET', '/webhooks?limit=100');
      const rotated = await request('POST', `/webhooks/${created.id}/rotate-secret`);
      const readAgain = await request('GET', `/webhooks/${created.id}`);

      expect(read.statusCode).toBe(200);
      expect(read.json()).not.toHaveProperty('secret');
      expect(read.body).not.toContain(secret);
      expect(list.body).not.toContain(secret);
      expect(list.body).not.toContain('whsec_');
      expect(rotated.statusCode).toBe(200);
      const next = rotated.json<{
        secret: string;
        previousSecretExpiresAt: string;
        secretRotatedAt: string;
      }>();
      expect(next.secret).toMatch(/^whsec_/);
      expect(next.secret).not.toBe(secret);
      expect(next.secretRotatedAt).toEqual(expect.any(String));
      expect(readAgain.body).not.toContain(next.secret);
      expect(readAgain.json()).toMatchObject({ previousSecretExpiresAt: next.previousSecretExpiresAt });
      const [row] = await env.query<Record<string, string>>(
        `SELECT secret_ciphertext, previous_secret_ciphertext FROM webhook_endpoints WHERE id = $1`,
        [created.id],
      );
      expect(row.secret_ciphertext).toMatch(/^v1\./);
      expect(row.previous_secret_ciphertext).toMatch(/^v1\./);
      for (const value of Object.values(row)) {
        expect(value).not.toContain(next.secret.slice('whsec_'.length));
        expect(value).not.toContain(secret.slice('whsec_'.length));
      }
      expect(logs.lines.length).toBeGreaterThan(0);
      for (const key of [secret, next.secret]) {
        expect(logs.text).not.toContain(key.slice('whsec_'.length));
      }
    });
  });

  describe('not found', () => {
    it.each([
      ['GET', '/webhooks/:id'],
      ['DELETE', '/webhooks/:id'],
      ['POST', '/webhooks/:id/rotate-secret'],
      ['GET', '/webhooks/:id/deliveries'],
      ['POST', `/webhooks/:id/deliveries/${randomUUID()}/redeliver`],
    ] as const)('when %s %s names no endpoint, then 404 WEBHOOK_ENDPOINT_NOT_FOUND', async (method, path) => {
      const response = await request(method, path.replace(':id', randomUUID()));

      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'WEBHOOK_ENDPOINT_NOT_FOUND' });
    });

    it('when an endpoint was deleted, then it answers 404 everywhere and is not listed', async () => {
      const created = await create();

      expect((await request('DELETE', `/webhooks/${created.id}`)).statusCode).toBe(204);

      expect((await request('GET', `/webhooks/${created.id}`)).statusCode).toBe(404);
      expect((await request('POST', `/webhooks/${created.id}/rotate-secret`)).statusCode).toBe(404);
      expect((await request('DELETE', `/webhooks/${created.id}`)).statusCode).toBe(404);
      expect((await request('GET', '/webhooks?limit=100')).body).not.toContain(created.id);
      const [row] = await env.query<{ secret_ciphertext: string | null }>(
        'SELECT secret_ciphertext FROM webhook_endpoints WHERE id = $1',
        [created.id],
      );
      expect(row.secret_ciphertext).toBeNull();
    });

    it('when a delivery is not one of the endpoint’s, then redelivering it is 404 WEBHOOK_DELIVERY_NOT_FOUND', async () => {
      const mine = await create();
      const other = await create();
      const deliveryId = await insertDelivery(other.id, 'delivered');

      const response = await request('POST', `/webhooks/${mine.id}/deliveries/${deliveryId}/redeliver`);

      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'WEBHOOK_DELIVERY_NOT_FOUND' });
    });

    it('when an id is not a UUID, then 400 VALIDATION_FAILED', async () => {
      const response = await request('GET', '/webhooks/not-a-uuid/deliveries');

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  /** A delivery row, `age` seconds old (the log is ordered by creation). */
  const insertDelivery = async (endpointId: string, status: string, age = 0, userId?: string) => {
    const id = randomUUID();
    await env.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, user_id, event_type, event_message_id, event_payload,
         occurred_at, status, step_message_id, created_at)
       VALUES ($1, $2, $3, 'user.registered', $4, '{}', now(), $5, $4, now() - $6 * interval '1 second')`,
      [id, endpointId, userId ?? (await registeredUser()), randomUUID(), status, age],
    );
    return id;
  };

  describe('the delivery log', () => {
    it('when an endpoint has more deliveries than a page, then the pages list each once, newest first, with their attempts', async () => {
      const endpoint = await create();
      const userId = await registeredUser();
      const ids: string[] = [];
      for (let age = 0; age < 5; age++) ids.push(await insertDelivery(endpoint.id, 'failed', age, userId));
      await env.query(
        `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, step_message_id, outcome, status_code, error,
           duration_ms, started_at)
         VALUES ($1, 1, 'm1', 'retrying', 503, 'the endpoint answered 503', 12, now() - interval '2 seconds'),
                ($1, 2, 'm1', 'failed', 410, 'the endpoint answered 410', 8, now() - interval '1 second')`,
        [ids[0]],
      );

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `&cursor=${cursor}` : '';
        const response = await request('GET', `/webhooks/${endpoint.id}/deliveries?limit=2${query}`);
        expect(response.statusCode).toBe(200);
        const page = response.json<{ items: { id: string }[]; nextCursor: string | null }>();
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);

      expect(pages).toBe(3);
      expect(seen).toEqual(ids);
      const first = (await request('GET', `/webhooks/${endpoint.id}/deliveries?limit=1`)).json<{
        items: unknown[];
      }>().items[0];
      expect(first).toMatchObject({
        id: ids[0],
        eventType: 'user.registered',
        userId,
        status: 'failed',
        attempts: [
          {
            attempt: 2,
            outcome: 'failed',
            statusCode: 410,
            durationMs: 8,
            error: 'the endpoint answered 410',
          },
          { attempt: 1, outcome: 'retrying', statusCode: 503, durationMs: 12 },
        ],
      });
    });

    it('when the cursor is not one the API issued, then 400 INVALID_CURSOR', async () => {
      const endpoint = await create();

      for (const url of [`/webhooks/${endpoint.id}/deliveries?cursor=bm9wZQ`, '/webhooks?cursor=bm9wZQ']) {
        const response = await request('GET', url);
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ code: 'INVALID_CURSOR' });
      }
    });

    it('when endpoints are listed with a limit, then the pages list each live endpoint once, oldest first', async () => {
      const created = [await create(), await create(), await create()].map((endpoint) => endpoint.id);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${cursor}` : '';
        const page = (await request('GET', `/webhooks?limit=2${query}`)).json<{
          items: EndpointBody[];
          nextCursor: string | null;
        }>();
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor);

      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.slice(-3)).toEqual(created);
    });

    it('when a pending delivery is redelivered, then 409 WEBHOOK_DELIVERY_PENDING and nothing is scheduled', async () => {
      const endpoint = await create();
      const deliveryId = await insertDelivery(endpoint.id, 'pending');

      const response = await request('POST', `/webhooks/${endpoint.id}/deliveries/${deliveryId}/redeliver`);

      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ code: 'WEBHOOK_DELIVERY_PENDING' });
      const scheduled = await env.query(
        `SELECT 1 FROM outbox_messages WHERE routing_key = 'deliver-webhook' AND payload->>'deliveryId' = $1`,
        [deliveryId],
      );
      expect(scheduled).toHaveLength(0);
    });

    it('when a settled delivery is redelivered, then 202, it is pending again and a new step message with the same delivery id is in the outbox', async () => {
      const endpoint = await create();
      const deliveryId = await insertDelivery(endpoint.id, 'failed');

      const response = await app.inject({
        method: 'POST',
        url: `/webhooks/${endpoint.id}/deliveries/${deliveryId}/redeliver`,
        headers: { ...admin, 'x-request-id': 'redeliver-1' },
      });

      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ id: deliveryId, status: 'pending' });
      const [row] = await env.query<{ step_message_id: string }>(
        'SELECT step_message_id FROM webhook_deliveries WHERE id = $1',
        [deliveryId],
      );
      const outbox = await env.query<{
        message_id: string;
        exchange: string;
        headers: object;
        payload: object;
      }>(
        `SELECT message_id, exchange, headers, payload FROM outbox_messages
         WHERE routing_key = 'deliver-webhook' AND payload->>'deliveryId' = $1`,
        [deliveryId],
      );
      expect(outbox).toEqual([
        {
          message_id: row.step_message_id,
          exchange: 'steps',
          headers: { 'x-request-id': 'redeliver-1' },
          payload: expect.objectContaining({
            deliveryId,
            endpointId: endpoint.id,
            eventType: 'user.registered',
          }),
        },
      ]);
    });
  });
});
