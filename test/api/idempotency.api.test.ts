import { IdempotencyKeyPurger } from '@app/idempotency';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { startApi } from '../support/apps';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';

const PASSWORD = 'correct horse battery staple';
const body = (email = `idem.${randomUUID()}@example.com`) => ({
  email,
  password: PASSWORD,
  firstName: 'Ada',
  lastName: 'Lovelace',
});

/** Idempotency-Key on POST /users, against the real PostgreSQL. */
describe('POST /users with Idempotency-Key', () => {
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

  const register = (payload: object, key?: string) =>
    app.inject({
      method: 'POST',
      url: '/users',
      payload,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  const usersWith = async (email: string) =>
    (await env.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email])).map((row) => row.id);
  const eventsFor = async (ids: string[]) =>
    env.query(`SELECT id FROM outbox_messages WHERE payload->>'userId' = ANY($1)`, [ids]);

  it('when a request is retried with the same key and body, then the first answer comes back, and one user and one event exist', async () => {
    const key = randomUUID();
    const payload = body();

    const first = await register(payload, key);
    const retry = await register(payload, key);

    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const ids = await usersWith(payload.email);
    expect(ids).toHaveLength(1);
    expect(await eventsFor(ids)).toHaveLength(1);
  });

  it('when the key is sent as a Structured Field string, then it is the same key as the bare value', async () => {
    const key = randomUUID();
    const payload = body();

    await register(payload, key);
    const retry = await register(payload, `"${key}"`);

    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('when the same key comes with another body, then 422 IDEMPOTENCY_KEY_REUSED and nothing is written', async () => {
    const key = randomUUID();
    await register(body(), key);
    const other = body();

    const response = await register(other, key);

    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await usersWith(other.email)).toEqual([]);
  });

  it('when the same key comes with only another password, then 422 too (the password is in the fingerprint)', async () => {
    const key = randomUUID();
    const payload = body();
    await register(payload, key);

    const response = await register({ ...payload, password: 'another horse battery staple' }, key);

    expect(response.statusCode).toBe(422);
  });

  it('when requests with one key arrive while the first is in flight, then the others get 409 with Retry-After, and one user exists', async () => {
    const key = randomUUID();
    const payload = body();

    const responses = await Promise.all(Array.from({ length: 5 }, () => register(payload, key)));

    const fresh = responses.filter(
      (r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined,
    );
    const conflicts = responses.filter((r) => r.statusCode === 409);
    expect(fresh).toHaveLength(1);
    expect(conflicts.length).toBeGreaterThan(0);
    for (const conflict of conflicts) {
      expect(conflict.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
      expect(conflict.headers['retry-after']).toBe('1');
    }
    expect(responses.every((r) => [201, 409].includes(r.statusCode))).toBe(true);
    expect(await usersWith(payload.email)).toHaveLength(1);
  });

  it('when the work fails (email taken), then the key is released and a retry does the work again', async () => {
    const taken = body();
    await register(taken);
    const key = randomUUID();

    const first = await register(taken, key);
    const retry = await register(taken, key);

    expect(first.statusCode).toBe(409);
    expect(first.json()).toMatchObject({ code: 'USER_EMAIL_TAKEN' });
    expect(retry.json()).toMatchObject({ code: 'USER_EMAIL_TAKEN' });
    expect(await env.query('SELECT key FROM idempotency_keys WHERE key = $1', [key])).toEqual([]);
  });

  it('when a key is stored, then its row holds the answer and a keyed fingerprint, never the password', async () => {
    const key = randomUUID();
    const payload = body();

    await register(payload, key);

    const [row] = await env.query<{ row: string; fingerprint: string }>(
      'SELECT k::text AS row, fingerprint FROM idempotency_keys k WHERE key = $1',
      [key],
    );
    expect(row.row).not.toContain(PASSWORD);
    expect(row.fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a space', 'two words'],
    ['not ASCII', 'clé'],
  ])('when the key is %s, then 400 INVALID_IDEMPOTENCY_KEY and nothing is written', async (_case, key) => {
    const payload = body();

    const response = await register(payload, key);

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'INVALID_IDEMPOTENCY_KEY' });
    expect(await usersWith(payload.email)).toEqual([]);
  });

  it('when keys have expired, then the purge deletes them and an expired key can start a new request', async () => {
    const key = randomUUID();
    await register(body(), key);
    await env.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [
      key,
    ]);

    const purged = await app.get(IdempotencyKeyPurger).purge();

    expect(purged).toBeGreaterThanOrEqual(1);
    expect(await env.query('SELECT key FROM idempotency_keys WHERE key = $1', [key])).toEqual([]);
    expect((await register(body(), key)).statusCode).toBe(201);
  });

  it('when a claim was abandoned (its process died) and its lease ran out, then the same request takes it over', async () => {
    const key = randomUUID();
    const payload = body();
    const first = await register(payload, key);
    // As if the first request had claimed the key and died before its transaction committed.
    await env.query(
      `UPDATE idempotency_keys SET status = 'in_flight', locked_until = now() - interval '1 second',
         response_status = NULL WHERE key = $1`,
      [key],
    );
    await env.query("DELETE FROM outbox_messages WHERE payload->>'userId' = $1", [
      first.json<{ id: string }>().id,
    ]);
    await env.query('DELETE FROM users WHERE email = $1', [payload.email]);

    const retry = await register(payload, key);

    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await usersWith(payload.email)).toHaveLength(1);
  });
});
