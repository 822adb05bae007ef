import { DatabaseConnector } from '@app/database';
import { requestFingerprint } from '@app/idempotency';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { createApiApp } from '../../apps/api/src/api.factory';
import { startApi } from '../support/apps';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';
import {
  defaultRequest,
  type DocumentedOperation,
  type Example,
  type OpenApiDocument,
  operationsOf,
  problemExamples,
  type RequestParts,
} from './support/openapi-operations';

interface Answer {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
}

/** Members a documented example may leave out: they vary with each occurrence. */
const OCCURRENCE_MEMBERS = ['detail', 'checks', 'requestId'];

/**
 * Every error example in /docs-json is compared with the answer the API really gives to the request that
 * provokes it: same type, title, status, code and instance, and the same detail and `errors` where the
 * example shows them (the VALIDATION_FAILED examples are answers to a recorded sample request).
 */
describe('OpenAPI error examples', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  let limited: NestFastifyApplication;
  let busy: NestFastifyApplication;
  let offline: NestFastifyApplication;
  let document: OpenApiDocument;
  let port: number;

  beforeAll(async () => {
    env = await createTestEnvironment();
    // The main app: a hook fails requests marked x-test-fail, the way a bug would (500 INTERNAL_ERROR).
    app = await createApiApp(env.config());
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('preHandler', async (request) => {
        if (request.headers['x-test-fail']) throw new Error('a bug, on purpose');
      });
    await app.listen(0, '127.0.0.1');
    await app.get(DatabaseConnector).whenConnected();
    port = (app.getHttpServer().address() as { port: number }).port;
    limited = await startApi(
      env.config({
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_SIGNUP: '1/1m',
        RATE_LIMIT_VERIFICATION: '1/1m',
        RATE_LIMIT_ADMIN: '1/1m',
      }),
    );
    busy = await startApi(env.config({ ARGON2_MAX_PENDING: '1' }));
    offline = await startApi(env.config({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' }), {
      waitForDatabase: false,
    });
    document = (await app.inject({ method: 'GET', url: '/docs-json' })).json<OpenApiDocument>();
  });

  afterAll(async () => {
    for (const started of [offline, busy, limited, app]) await started?.close();
    await env?.cleanup();
  });

  const send = async (target: NestFastifyApplication, request: RequestParts): Promise<Answer> => {
    const response = await target.inject(request as Parameters<NestFastifyApplication['inject']>[0] & object);
    return {
      status: response.statusCode,
      contentType: String(response.headers['content-type']),
      body: response.json<Record<string, unknown>>(),
    };
  };

  /** A raw request with 20 KiB of headers: answered by Node's HTTP parser, before Fastify. */
  const oversizedHeaders = (path: string) =>
    new Promise<Answer>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let raw = '';
      socket.on('data', (chunk) => (raw += chunk.toString('utf8')));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', body = ''] = raw.split('\r\n\r\n');
        resolve({
          status: Number(head.split(' ')[1]),
          contentType: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '',
          body: JSON.parse(body) as Record<string, unknown>,
        });
      });
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`);
    });

  const withPathParameter = (documented: DocumentedOperation, base: RequestParts, value: string) => {
    const [name] = /\{[^}]+\}/.exec(documented.path) ?? [];
    const first = documented.path.split('/').findIndex((segment) => segment === name);
    const segments = base.url.split('?')[0].split('/');
    segments[first] = value;
    return { ...base, url: segments.join('/') };
  };

  const deadLetterRow = (messageId: string, status: string, body: string) =>
    env.query(
      `INSERT INTO dead_letters (message_id, type, exchange, routing_key, body, payload, error_code, error_message,
         attempts, first_failed_at, last_failed_at, dead_lettered_by, status)
       VALUES ($1, 'user.registered', 'events', 'user.registered', $2, $3, 'HANDLER_FAILED', 'boom', 1, now(),
         now(), 'worker', $4)
       ON CONFLICT (message_id) DO UPDATE SET status = EXCLUDED.status, body = EXCLUDED.body, payload = EXCLUDED.payload`,
      [messageId, Buffer.from(body), body.startsWith('{') ? body : null, status],
    );

  /** A user registered through the API, with its id. */
  const registeredUser = async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/users',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        email: `examples.${randomUUID()}@example.com`,
        password: 'a long and unusual passphrase',
        firstName: 'Ada',
        lastName: 'Lovelace',
      }),
    });
    return response.json<{ id: string }>().id;
  };

  /** A verification token of `userId` in the given state (the API finds it by its SHA-256). */
  const verificationToken = async (userId: string, state: 'used' | 'expired' | 'superseded') => {
    const token = randomUUID().replace(/-/g, '').padEnd(43, 'x');
    await env.query(
      `INSERT INTO verification_tokens (id, user_id, token_hash, step_message_id, expires_at, sent_at, used_at,
         superseded_at)
       VALUES ($1, $2, sha256(convert_to($3, 'UTF8')), $4, now() + CASE WHEN $5 = 'expired' THEN interval '-1 hour'
         ELSE interval '1 hour' END, now(), CASE WHEN $5 = 'used' THEN now() END,
         CASE WHEN $5 = 'superseded' THEN now() END)`,
      [randomUUID(), userId, token, randomUUID(), state],
    );
    return token;
  };

  /** `base` for another user id (the first path parameter). */
  const forUser = (documented: DocumentedOperation, base: RequestParts, userId: string) => ({
    ...base,
    url: base.url.replace(/\/users\/[^/?]+/, `/users/${userId}`),
  });

  /** A webhook endpoint registered through the API (its example URL does not resolve, which is accepted). */
  const webhookEndpoint = async (headers: Record<string, string>) => {
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ url: 'https://hooks.example.com/onboarding', events: ['user.registered'] }),
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string }>().id;
  };

  /** `base` for another webhook endpoint id, and delivery id when given. */
  const forWebhook = (base: RequestParts, endpointId: string, deliveryId?: string) => ({
    ...base,
    url: base.url
      .replace(/\/webhooks\/[^/?]+/, `/webhooks/${endpointId}`)
      .replace(/\/deliveries\/[^/?]+/, deliveryId ? `/deliveries/${deliveryId}` : '$&'),
  });

  /** The real answer to the request that provokes `code` on this operation; undefined if unknown. */
  async function provoke(
    documented: DocumentedOperation,
    code: string,
    example: Example,
  ): Promise<Answer | undefined> {
    const base = defaultRequest(document, documented);
    const { authorization: _token, ...anonymous } = base.headers;
    const messageId = /\/dead-letters\/([^/]+)/.exec(base.url)?.[1];
    const json = { ...base.headers, 'content-type': 'application/json' };
    switch (code) {
      case 'VALIDATION_FAILED': {
        const sample = example['x-sample-request']!;
        const query = new URLSearchParams(sample.query).toString();
        const headers =
          sample.body === undefined ? base.headers : { ...base.headers, 'content-type': 'application/json' };
        return send(app, {
          method: base.method,
          url: query ? `${sample.path}?${query}` : sample.path,
          headers,
          payload: sample.body === undefined ? undefined : JSON.stringify(sample.body),
        });
      }
      case 'MALFORMED_JSON':
        return send(app, { ...base, headers: json, payload: '{"unterminated' });
      case 'UNSUPPORTED_MEDIA_TYPE':
        return send(app, {
          ...base,
          headers: { ...base.headers, 'content-type': 'text/plain' },
          payload: 'x',
        });
      case 'PAYLOAD_TOO_LARGE':
        return send(app, {
          ...base,
          headers: json,
          payload: JSON.stringify({ padding: 'x'.repeat(20_000) }),
        });
      case 'MALFORMED_URL':
        return documented.path.includes('{')
          ? send(app, withPathParameter(documented, base, '%ZZ'))
          : send(app, { ...base, url: `${base.url}${base.url.includes('?') ? '&' : '?'}q=%00` });
      case 'URI_TOO_LONG':
        return send(app, withPathParameter(documented, base, 'a'.repeat(101)));
      case 'UNAUTHORIZED':
        return send(app, { ...base, headers: anonymous });
      case 'REQUEST_HEADERS_TOO_LARGE':
        return oversizedHeaders(base.url);
      case 'INTERNAL_ERROR':
        return send(app, { ...base, headers: { ...base.headers, 'x-test-fail': '1' } });
      case 'RATE_LIMITED': {
        let answer = await send(limited, base);
        for (let attempt = 0; attempt < 3 && answer.status !== 429; attempt++)
          answer = await send(limited, base);
        return answer;
      }
      case 'DEPENDENCY_UNAVAILABLE':
        return send(offline, base);
      case 'NOT_READY':
        return send(offline, base);
      case 'SERVICE_OVERLOADED': {
        const bodies = Array.from({ length: 6 }, () => ({
          ...(JSON.parse(base.payload!) as object),
          email: `busy.${randomUUID()}@example.com`,
        }));
        const answers = await Promise.all(
          bodies.map((body) => send(busy, { ...base, payload: JSON.stringify(body) })),
        );
        return answers.find((answer) => answer.status === 503) ?? answers[0];
      }
      case 'USER_EMAIL_TAKEN':
        await send(app, base);
        return send(app, base);
      case 'USER_NOT_FOUND':
        return send(app, base);
      case 'INVALID_CURSOR':
        return send(app, {
          ...base,
          url: `${base.url}${base.url.includes('?') ? '&' : '?'}cursor=bm90LWEtY3Vyc29y`,
        });
      case 'DEAD_LETTER_NOT_FOUND':
        await env.query('DELETE FROM dead_letters WHERE message_id = $1', [messageId]);
        return send(app, base);
      case 'DEAD_LETTER_NOT_REPLAYABLE':
        await deadLetterRow(messageId!, 'pending', 'not json');
        return send(app, base);
      case 'INVALID_IDEMPOTENCY_KEY':
        return send(app, { ...base, headers: { ...base.headers, 'idempotency-key': 'two words' } });
      case 'IDEMPOTENCY_KEY_REUSED': {
        const key = randomUUID();
        const first = { ...(JSON.parse(base.payload!) as object), email: `reused.${key}@example.com` };
        await send(app, {
          ...base,
          headers: { ...base.headers, 'idempotency-key': key },
          payload: JSON.stringify(first),
        });
        const other = { ...first, firstName: 'Someone else' };
        return send(app, {
          ...base,
          headers: { ...base.headers, 'idempotency-key': key },
          payload: JSON.stringify(other),
        });
      }
      case 'IDEMPOTENCY_KEY_IN_USE': {
        const key = randomUUID();
        const fingerprint = requestFingerprint(
          env.config().idempotency.fingerprintKey,
          JSON.parse(base.payload!),
        );
        await env.query(
          `INSERT INTO idempotency_keys (scope, key, fingerprint, status, claim_token, locked_until, expires_at)
           VALUES ('POST /users', $1, $2, 'in_flight', $3, now() + interval '1 minute', now() + interval '1 day')`,
          [key, fingerprint, randomUUID()],
        );
        return send(app, { ...base, headers: { ...base.headers, 'idempotency-key': key } });
      }
      case 'USER_ERASED': {
        const userId = await registeredUser();
        const erased = await app.inject({
          method: 'DELETE',
          url: `/users/${userId}`,
          headers: { authorization: base.headers.authorization },
        });
        expect(erased.statusCode).toBe(204);
        return send(app, {
          ...forUser(documented, base, userId),
          headers: { ...base.headers, 'if-match': '"1"' },
        });
      }
      case 'PRECONDITION_REQUIRED': {
        const { 'if-match': _ifMatch, ...headers } = base.headers;
        return send(app, { ...forUser(documented, base, await registeredUser()), headers });
      }
      case 'PRECONDITION_FAILED':
        return send(app, {
          ...forUser(documented, base, await registeredUser()),
          headers: { ...base.headers, 'if-match': '"999"' },
        });
      case 'VERIFICATION_TOKEN_INVALID':
        return send(app, { ...base, headers: json, payload: JSON.stringify({ token: 'x'.repeat(43) }) });
      case 'VERIFICATION_TOKEN_USED':
      case 'VERIFICATION_TOKEN_EXPIRED':
      case 'VERIFICATION_TOKEN_SUPERSEDED': {
        const state = code.replace('VERIFICATION_TOKEN_', '').toLowerCase() as
          'used' | 'expired' | 'superseded';
        const token = await verificationToken(await registeredUser(), state);
        return send(app, { ...base, headers: json, payload: JSON.stringify({ token }) });
      }
      case 'STEP_NOT_FOUND':
        return send(app, { ...base, url: base.url.replace(/\/steps\/[^/]+\//, '/steps/no-such-step/') });
      case 'STEP_NOT_FAILED':
        return send(app, forUser(documented, base, await registeredUser()));
      case 'DEAD_LETTER_NOT_PENDING':
        if (messageId) {
          await deadLetterRow(messageId, 'replayed', '{"userId":"x"}');
          return send(app, base);
        } else {
          // A failed step whose dead letter an operator replayed (or discarded) already.
          const userId = await registeredUser();
          const stepMessageId = randomUUID();
          const step = /\/steps\/([^/]+)\//.exec(base.url)?.[1] ?? 'provision-account';
          await deadLetterRow(stepMessageId, 'replayed', JSON.stringify({ userId }));
          await env.query(
            `INSERT INTO onboarding_steps (user_id, step, unit, status, attempts, message_id, updated_at)
             VALUES ($1, $2, '', 'failed', 1, $3, now())
             ON CONFLICT (user_id, step, unit) DO UPDATE SET status = 'failed', message_id = EXCLUDED.message_id`,
            [userId, step, stepMessageId],
          );
          return send(app, forUser(documented, base, userId));
        }
      case 'WEBHOOK_URL_NOT_ALLOWED':
        return send(app, {
          ...base,
          headers: json,
          payload: JSON.stringify({ url: 'https://127.0.0.1/hook', events: ['user.registered'] }),
        });
      case 'WEBHOOK_ENDPOINT_NOT_FOUND':
        return send(app, base);
      case 'WEBHOOK_DELIVERY_NOT_FOUND':
        return send(app, forWebhook(base, await webhookEndpoint(base.headers)));
      case 'WEBHOOK_DELIVERY_PENDING': {
        const endpointId = await webhookEndpoint(base.headers);
        const deliveryId = randomUUID();
        await env.query(
          `INSERT INTO webhook_deliveries (id, endpoint_id, user_id, event_type, event_message_id, event_payload,
             occurred_at, status, step_message_id)
           VALUES ($1, $2, $3, 'user.registered', $4, '{}', now(), 'pending', $4)`,
          [deliveryId, endpointId, await registeredUser(), randomUUID()],
        );
        return send(app, forWebhook(base, endpointId, deliveryId));
      }
      default:
        return undefined;
    }
  }

  it('when each documented error example is provoked, then the real answer is the example (but for the request id and occurrence details)', async () => {
    const notProvoked: string[] = [];
    const mismatches: unknown[] = [];
    const compared = new Set<string>();
    for (const documented of operationsOf(document)) {
      for (const { status, code, example } of problemExamples(documented.operation)) {
        const where = `${documented.method} ${documented.path} ${status} ${code}`;
        const answer = await provoke(documented, code, example);
        if (!answer) {
          notProvoked.push(where);
          continue;
        }
        const real = Object.fromEntries(
          Object.entries(answer.body).filter(
            ([key]) => key in example.value || !OCCURRENCE_MEMBERS.includes(key),
          ),
        );
        const { requestId: _documented, ...expected } = example.value;
        delete real.requestId;
        // The path that provokes these is not the documented example path, by construction; others are provoked
        // on another user (or step) than the example's: the instance must still be the operation's path.
        const template = new RegExp(`^${documented.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
        if (
          code === 'MALFORMED_URL' ||
          code === 'URI_TOO_LONG' ||
          (typeof real.instance === 'string' && template.test(real.instance))
        ) {
          delete real.instance;
          delete expected.instance;
        }
        compared.add(code);
        if (answer.status !== status || !answer.contentType.includes('application/problem+json')) {
          mismatches.push({
            where,
            status: answer.status,
            contentType: answer.contentType,
            body: answer.body,
          });
        } else if (JSON.stringify(sorted(real)) !== JSON.stringify(sorted(expected))) {
          mismatches.push({ where, documented: expected, real });
        }
      }
    }

    expect(notProvoked).toEqual([]);
    expect(mismatches).toEqual([]);
    // Every kind of answer the API has was among them.
    expect([...compared].sort()).toEqual(
      expect.arrayContaining([
        'INTERNAL_ERROR',
        'RATE_LIMITED',
        'REQUEST_HEADERS_TOO_LARGE',
        'UNAUTHORIZED',
        'VALIDATION_FAILED',
      ]),
    );
    expect(compared.size).toBeGreaterThanOrEqual(20);
  });
});

const sorted = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
