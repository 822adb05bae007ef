import {
  hashVerificationToken,
  VerificationNotPendingError,
  VerificationStepClosedError,
  VerificationTokenService,
} from '@app/verification';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { startApi } from '../support/apps';
import { createTestEnvironment, TEST_ADMIN_TOKEN, TestEnvironment } from '../support/test-environment';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let sequence = 0;
const uniqueEmail = () => `verify${++sequence}.${Date.now()}@example.com`;
/** VERIFICATION_RESEND_INTERVAL of the app under test, short so that a test can wait it out. */
const RESEND_INTERVAL_MS = 1000;

interface UserBody {
  id: string;
  email: string;
  status: string;
  emailVerifiedAt: string | null;
  verificationMethod: string | null;
}

interface OutboxRow {
  exchange: string;
  routing_key: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
}

describe('email verification API (real PostgreSQL, in-process Fastify)', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startApi(env.config({ VERIFICATION_RESEND_INTERVAL: `${RESEND_INTERVAL_MS}ms` }));
  });

  afterAll(async () => {
    await app?.close();
    await env?.cleanup();
  });

  const register = async (email = uniqueEmail()): Promise<UserBody> => {
    const response = await app.inject({
      method: 'POST',
      url: '/users',
      payload: { email, password: 'correct horse battery staple', firstName: 'Vera', lastName: 'Fied' },
    });
    expect(response.statusCode).toBe(201);
    return response.json<UserBody>();
  };
  /** What the worker's mail step does: issue the token of its step message inside its transaction. */
  const issue = (userId: string, stepMessageId: string = randomUUID(), target = app) =>
    target
      .get(DataSource)
      .transaction((manager) =>
        target.get(VerificationTokenService).issueForStep(manager, userId, stepMessageId),
      );
  const markSent = (stepMessageId: string) =>
    app
      .get(DataSource)
      .transaction((manager) => app.get(VerificationTokenService).markSent(manager, stepMessageId));
  const verify = (payload: unknown) =>
    app.inject({ method: 'POST', url: '/users/verify-email', payload: payload as object });
  const resend = (email: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/users/verify-email/resend', payload: { email }, headers });
  const adminVerify = (id: string, headers: Record<string, string> = admin) =>
    app.inject({ method: 'POST', url: `/users/${id}/verify`, headers });
  const userRow = async (id: string) =>
    (
      await env.query<{ status: string; version: number; email_verified_at: Date | null }>(
        'SELECT status, version, email_verified_at FROM users WHERE id = $1',
        [id],
      )
    )[0];
  const outbox = (userId: string, routingKey: string) =>
    env.query<OutboxRow>(
      `SELECT exchange, routing_key, payload, headers FROM outbox_messages
       WHERE payload->>'userId' = $1 AND routing_key = $2 ORDER BY created_at`,
      [userId, routingKey],
    );
  const tokenRow = async (stepMessageId: string) =>
    (
      await env.query<{
        token_hash: Buffer;
        token_ciphertext: string | null;
        sent_at: Date | null;
        used_at: Date | null;
        superseded_at: Date | null;
        expires_at: Date;
        created_at: Date;
      }>('SELECT * FROM verification_tokens WHERE step_message_id = $1', [stepMessageId])
    )[0];

  describe('tokens for the mail step (issueForStep, markSent)', () => {
    it('when a step issues a token, then it is 32 random bytes in base64url, stored only as its SHA-256 and encrypted, expiring in 24 h', async () => {
      const user = await register();
      const stepMessageId = randomUUID();

      const { token, expiresAt } = await issue(user.id, stepMessageId);

      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      const stored = await tokenRow(stepMessageId);
      expect(stored.token_hash).toEqual(hashVerificationToken(token));
      expect(stored.token_ciphertext).toMatch(/^v1\./);
      expect(JSON.stringify(stored)).not.toContain(token);
      expect(expiresAt.getTime() - stored.created_at.getTime()).toBe(24 * 3600 * 1000);
    });

    it('when the same step message issues again, then it gets the same token, until the mail is marked sent', async () => {
      const user = await register();
      const stepMessageId = randomUUID();

      const first = await issue(user.id, stepMessageId);
      const repeat = await issue(user.id, stepMessageId);
      await markSent(stepMessageId);
      await markSent(stepMessageId);

      expect(repeat).toEqual(first);
      const stored = await tokenRow(stepMessageId);
      expect(stored).toMatchObject({ token_ciphertext: null, sent_at: expect.any(Date) });
      await expect(issue(user.id, stepMessageId)).rejects.toThrow(VerificationStepClosedError);
      expect((await verify({ token: first.token })).statusCode).toBe(200);
    });

    it('when another step message issues a token, then the older unused one is superseded and its encrypted copy wiped', async () => {
      const user = await register();
      const older = randomUUID();
      await issue(user.id, older);

      await issue(user.id, randomUUID());

      expect(await tokenRow(older)).toMatchObject({
        superseded_at: expect.any(Date),
        token_ciphertext: null,
      });
      await expect(issue(user.id, older)).rejects.toMatchObject({ code: 'VERIFICATION_STEP_CLOSED' });
    });

    it('when steps of one user issue concurrently, then exactly one token stays usable', async () => {
      const user = await register();

      await Promise.all(Array.from({ length: 5 }, () => issue(user.id)));

      const usable = await env.query(
        'SELECT id FROM verification_tokens WHERE user_id = $1 AND superseded_at IS NULL',
        [user.id],
      );
      expect(usable).toHaveLength(1);
    });

    it('when the user is verified already, or does not exist, then issuing fails with a permanent error', async () => {
      const user = await register();
      await adminVerify(user.id);

      await expect(issue(user.id)).rejects.toThrow(VerificationNotPendingError);
      await expect(issue(randomUUID())).rejects.toMatchObject({ code: 'USER_NOT_FOUND', kind: 'permanent' });
    });
  });

  describe('POST /users/verify-email', () => {
    it('when the token is valid, then 200 with the user active, the token used and user.verified in the outbox', async () => {
      const user = await register();
      const stepMessageId = randomUUID();
      const { token } = await issue(user.id, stepMessageId);

      const response = await app.inject({
        method: 'POST',
        url: '/users/verify-email',
        payload: { token },
        headers: { 'x-request-id': 'verify-trace-1' },
      });

      expect(response.statusCode).toBe(200);
      const body = response.json<UserBody>();
      expect(body).toMatchObject({
        id: user.id,
        status: 'active',
        emailVerifiedAt: expect.any(String),
        verificationMethod: 'token',
      });
      expect(await tokenRow(stepMessageId)).toMatchObject({
        used_at: expect.any(Date),
        token_ciphertext: null,
      });
      expect(await outbox(user.id, 'user.verified')).toEqual([
        {
          exchange: 'events',
          routing_key: 'user.verified',
          payload: { userId: user.id, verifiedAt: body.emailVerifiedAt, method: 'token' },
          headers: { 'x-request-id': 'verify-trace-1' },
        },
      ]);
    });

    it('when a used token is sent again, then 410 VERIFICATION_TOKEN_USED and nothing changes', async () => {
      const user = await register();
      const { token } = await issue(user.id);
      await verify({ token });
      const before = await userRow(user.id);

      const response = await verify({ token });

      expect(response.statusCode).toBe(410);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 410, code: 'VERIFICATION_TOKEN_USED' });
      expect(await userRow(user.id)).toEqual(before);
      expect(await outbox(user.id, 'user.verified')).toHaveLength(1);
    });

    it('when a newer token superseded it, then 410 VERIFICATION_TOKEN_SUPERSEDED, the user stays pending, and the newer one works', async () => {
      const user = await register();
      const { token: older } = await issue(user.id);
      const { token: newer } = await issue(user.id);

      const response = await verify({ token: older });

      expect(response.statusCode).toBe(410);
      expect(response.json()).toMatchObject({ code: 'VERIFICATION_TOKEN_SUPERSEDED' });
      expect(await userRow(user.id)).toMatchObject({ status: 'pending_verification' });
      expect((await verify({ token: newer })).statusCode).toBe(200);
    });

    it('when the token has expired (a 1 s TTL), then 410 VERIFICATION_TOKEN_EXPIRED and the user stays pending', async () => {
      const shortLived = await startApi(env.config({ VERIFICATION_TOKEN_TTL: '1s' }));
      try {
        const user = await register();
        const { token, expiresAt } = await issue(user.id, randomUUID(), shortLived);
        await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 200);

        const response = await verify({ token });

        expect(response.statusCode).toBe(410);
        expect(response.json()).toMatchObject({ code: 'VERIFICATION_TOKEN_EXPIRED' });
        expect(await userRow(user.id)).toMatchObject({ status: 'pending_verification' });
        expect(await outbox(user.id, 'user.verified')).toEqual([]);
      } finally {
        await shortLived.close();
      }
    });

    it('when no token has this value, then 400 VERIFICATION_TOKEN_INVALID', async () => {
      const response = await verify({ token: Buffer.alloc(32, 9).toString('base64url') });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VERIFICATION_TOKEN_INVALID' });
    });

    it.each([
      ['no token', {}, 'token'],
      ['a short token', { token: 'abc' }, 'token'],
      ['a token with other characters', { token: `${'a'.repeat(42)}=` }, 'token'],
      ['a number', { token: 42 }, 'token'],
      ['an unknown field', { token: Buffer.alloc(32).toString('base64url'), email: 'a@b.c' }, 'email'],
    ])('when the body has %s, then 400 VALIDATION_FAILED', async (_, body, field) => {
      const response = await verify(body);

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(response.json<{ errors: { field: string }[] }>().errors).toContainEqual(
        expect.objectContaining({ field }),
      );
    });

    it('when an admin verified the user before the link was used, then the token is spent with 200 and no second event', async () => {
      const user = await register();
      const { token } = await issue(user.id);
      await adminVerify(user.id);

      const response = await verify({ token });

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ status: 'active', verificationMethod: 'admin' });
      expect(await outbox(user.id, 'user.verified')).toHaveLength(1);
      expect((await verify({ token })).statusCode).toBe(410);
    });

    it('when the user was erased, then its token is unknown: 400 VERIFICATION_TOKEN_INVALID', async () => {
      const user = await register();
      const { token } = await issue(user.id);
      await app.inject({ method: 'DELETE', url: `/users/${user.id}`, headers: admin });

      const response = await verify({ token });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VERIFICATION_TOKEN_INVALID' });
    });
  });

  describe('POST /users/verify-email/resend', () => {
    const steps = (userId: string) => outbox(userId, 'send-verification-email');

    it('when the email is unknown or registered, then the answer is the same 202 body, and both take the same minimum time', async () => {
      const user = await register();
      await sleep(RESEND_INTERVAL_MS + 100);

      const startedUnknown = Date.now();
      const unknown = await resend(uniqueEmail());
      const unknownMs = Date.now() - startedUnknown;
      const startedKnown = Date.now();
      const known = await resend(user.email);
      const knownMs = Date.now() - startedKnown;

      expect([unknown.statusCode, known.statusCode]).toEqual([202, 202]);
      expect(known.body).toBe(unknown.body);
      expect(known.json()).toEqual({ status: 'accepted', message: expect.any(String) });
      expect(unknownMs).toBeGreaterThanOrEqual(240);
      expect(knownMs).toBeGreaterThanOrEqual(240);
      expect(await steps(user.id)).toHaveLength(1);
    });

    it('when a resend follows registration within the interval, then no mail is requested: registration was the first', async () => {
      const user = await register();

      await resend(user.email);

      expect(await steps(user.id)).toEqual([]);
    });

    it('when two resends come within the interval, then one step message; after the interval, a second', async () => {
      const email = uniqueEmail();
      const user = await register(email);
      await sleep(RESEND_INTERVAL_MS + 100);

      await resend(`  ${email.toUpperCase()} `, { 'x-request-id': 'resend-trace-1' });
      await resend(email);
      const withinInterval = await steps(user.id);
      await sleep(RESEND_INTERVAL_MS + 100);
      await resend(email);

      expect(withinInterval).toEqual([
        {
          exchange: 'steps',
          routing_key: 'send-verification-email',
          payload: { userId: user.id, reason: 'resend', requestedAt: expect.any(String) },
          headers: { 'x-request-id': 'resend-trace-1' },
        },
      ]);
      expect(await steps(user.id)).toHaveLength(2);
    });

    it('when 10 resends for one user race after the interval, then exactly one step message is written', async () => {
      const user = await register();
      await sleep(RESEND_INTERVAL_MS + 100);

      const responses = await Promise.all(Array.from({ length: 10 }, () => resend(user.email)));

      expect(responses.map((response) => response.statusCode)).toEqual(Array<number>(10).fill(202));
      expect(await steps(user.id)).toHaveLength(1);
    });

    it('when the user is verified or erased, then 202 and no mail is requested', async () => {
      const verified = await register();
      const erased = await register();
      await adminVerify(verified.id);
      await app.inject({ method: 'DELETE', url: `/users/${erased.id}`, headers: admin });
      await sleep(RESEND_INTERVAL_MS + 100);

      const responses = [await resend(verified.email), await resend(erased.email)];

      expect(responses.map((response) => response.statusCode)).toEqual([202, 202]);
      expect([...(await steps(verified.id)), ...(await steps(erased.id))]).toEqual([]);
    });

    it.each([
      ['no email', {}],
      ['a malformed email', { email: 'not-an-email' }],
      ['an unknown field', { email: 'a@example.com', userId: randomUUID() }],
    ])('when the body has %s, then 400 VALIDATION_FAILED', async (_, payload) => {
      const response = await app.inject({ method: 'POST', url: '/users/verify-email/resend', payload });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('POST /users/:id/verify (admin)', () => {
    it('when an admin verifies a pending user, then 200 active by admin with an ETag, and user.verified with method admin', async () => {
      const user = await register();

      const response = await adminVerify(user.id);

      expect(response.statusCode).toBe(200);
      expect(response.headers.etag).toMatch(/^"\d+"$/);
      const body = response.json<UserBody>();
      expect(body).toMatchObject({
        status: 'active',
        verificationMethod: 'admin',
        emailVerifiedAt: expect.any(String),
      });
      expect((await outbox(user.id, 'user.verified')).map((row) => row.payload)).toEqual([
        { userId: user.id, verifiedAt: body.emailVerifiedAt, method: 'admin' },
      ]);
    });

    it('when the user is verified already, then 200 unchanged and no second event', async () => {
      const user = await register();
      const first = await adminVerify(user.id);

      const second = await adminVerify(user.id);

      expect(second.statusCode).toBe(200);
      expect(second.json()).toEqual(first.json());
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(await outbox(user.id, 'user.verified')).toHaveLength(1);
    });

    it('when the user was erased, then 409 USER_ERASED; when there is none, 404 USER_NOT_FOUND', async () => {
      const user = await register();
      await app.inject({ method: 'DELETE', url: `/users/${user.id}`, headers: admin });

      const erased = await adminVerify(user.id);
      const missing = await adminVerify(randomUUID());

      expect(erased.statusCode).toBe(409);
      expect(erased.json()).toMatchObject({ code: 'USER_ERASED' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ code: 'USER_NOT_FOUND' });
      expect(await outbox(user.id, 'user.verified')).toEqual([]);
    });

    it('when no bearer token is given, then 401 and the user stays pending', async () => {
      const user = await register();

      const response = await adminVerify(user.id, {});

      expect(response.statusCode).toBe(401);
      expect(await userRow(user.id)).toMatchObject({ status: 'pending_verification' });
    });
  });

  describe('events and documentation', () => {
    it('when users were verified both ways and mails requested, then no outbox message carries personal data or a token', async () => {
      const email = uniqueEmail();
      const user = await register(email);
      const { token } = await issue(user.id);
      await verify({ token });
      const other = await register();
      await adminVerify(other.id);

      const rows = await env.query<OutboxRow>(
        'SELECT exchange, routing_key, payload, headers FROM outbox_messages',
      );

      const allowed: Record<string, string[]> = {
        'user.registered': ['registeredAt', 'userId'],
        'user.verified': ['method', 'userId', 'verifiedAt'],
        'user.erased': ['erasedAt', 'userId'],
        'send-verification-email': ['reason', 'requestedAt', 'userId'],
      };
      for (const row of rows) expect(Object.keys(row.payload).sort()).toEqual(allowed[row.routing_key]);
      const text = JSON.stringify(rows);
      for (const secret of [email, other.email, 'Vera', 'Fied', token, 'correct horse']) {
        expect(text).not.toContain(secret);
      }
    });

    it('when /docs-json is fetched, then the verification routes and their problems are documented', async () => {
      const document = (await app.inject({ method: 'GET', url: '/docs-json' })).json<{
        paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
      }>();

      expect(Object.keys(document.paths['/users/verify-email'].post.responses)).toEqual(
        expect.arrayContaining(['200', '400', '410']),
      );
      expect(document.paths['/users/verify-email'].post.security).toEqual([]);
      expect(document.paths['/users/verify-email/resend'].post.responses).toHaveProperty('202');
      expect(document.paths['/users/{id}/verify'].post.security).toEqual([{ admin: [] }]);
      expect(Object.keys(document.paths['/users/{id}/verify'].post.responses)).toEqual(
        expect.arrayContaining(['200', '401', '404', '409']),
      );
    });
  });
});
