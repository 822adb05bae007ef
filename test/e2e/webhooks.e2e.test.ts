import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { LogCapture, startApi, startWorker } from '../support/apps';
import {
  createTestEnvironment,
  eventually,
  TEST_ADMIN_TOKEN,
  TestEnvironment,
} from '../support/test-environment';
import { ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver';

interface Endpoint {
  id: string;
  secret: string;
}

interface Delivery {
  id: string;
  eventType: string;
  userId: string;
  status: string;
  attemptCount: number;
  lastError: string | null;
  skippedReason: string | null;
  attempts: { attempt: number; outcome: string; statusCode: number | null; error: string | null }[];
}

/**
 * Both apps in-process against the real PostgreSQL and RabbitMQ, and a real HTTP receiver that verifies every
 * signature with the `standardwebhooks` package. Private networks are allowed (the receiver is on 127.0.0.1),
 * retries are quick, and a delivery times out after 500 ms.
 */
describe('signed webhooks, end to end', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let receiver: WebhookReceiver;
  const workerLogs = new LogCapture();
  const settings = {
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_TIMEOUT_MS: '500',
    RETRY_INITIAL_DELAY_MS: '100',
    RETRY_BACKOFF_FACTOR: '2',
    RETRY_MAX_DELAY_MS: '1000',
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    receiver = await WebhookReceiver.start();
    worker = await startWorker(env.config({ ...settings, LOG_LEVEL: 'info' }), { logs: workerLogs });
    api = await startApi(env.config(settings));
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await receiver?.stop();
    await env?.cleanup();
  });

  const admin = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    api.inject({ method, url, payload, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });

  const createEndpoint = async (path: string, events: string[]): Promise<Endpoint> => {
    const response = await admin('POST', '/webhooks', { url: receiver.url(path), events });
    expect(response.statusCode).toBe(201);
    return response.json<Endpoint>();
  };

  const register = async () => {
    const email = `webhooks.${randomUUID()}@example.com`;
    const response = await api.inject({
      method: 'POST',
      url: '/users',
      payload: { email, password: 'correct horse battery staple', firstName: 'Ada', lastName: 'Lovelace' },
    });
    expect(response.statusCode).toBe(201);
    return { id: response.json<{ id: string }>().id, email };
  };

  /** The requests at `path` about `userId`. */
  const about = (path: string, userId: string) =>
    receiver.at(path).filter((request) => WebhookReceiver.payload(request).data.id === userId);

  const waitForRequests = (path: string, userId: string, count: number) =>
    eventually(
      async () => {
        const requests = about(path, userId);
        return requests.length >= count ? requests : undefined;
      },
      {
        timeoutMs: 20_000,
        what: `${count} request(s) at ${path} about user ${userId}`,
      },
    );

  const deliveriesOf = async (endpointId: string): Promise<Delivery[]> => {
    const response = await admin('GET', `/webhooks/${endpointId}/deliveries`);
    expect(response.statusCode).toBe(200);
    return response.json<{ items: Delivery[] }>().items;
  };

  const deliveryOf = (endpointId: string, userId: string, settled = true) =>
    eventually(
      async () =>
        (await deliveriesOf(endpointId)).find(
          (delivery) => delivery.userId === userId && (!settled || delivery.status !== 'pending'),
        ),
      { timeoutMs: 20_000, what: `a settled delivery to ${endpointId} about ${userId}` },
    );

  const statuses = (requests: ReceivedWebhook[]) => requests.map((request) => request.status);
  const webhookIds = (requests: ReceivedWebhook[]) => new Set(requests.map((r) => r.headers['webhook-id']));

  /** Nothing that looks like a password or its hash, in any request the receiver ever got. */
  const expectNoPasswordMaterial = () => {
    for (const request of receiver.received) {
      expect(request.body).not.toMatch(/password|\$argon2/i);
    }
  };

  it('when a user registers and is verified, then an endpoint subscribed to both events receives both, validly signed, with the user’s public fields', async () => {
    const endpoint = await createEndpoint('/both', ['user.registered', 'user.verified']);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const user = await register();
    expect((await admin('POST', `/users/${user.id}/verify`)).statusCode).toBe(200);

    const requests = await waitForRequests('/both', user.id, 2);
    expect(requests.map((request) => WebhookReceiver.payload(request).type).sort()).toEqual([
      'user.registered',
      'user.verified',
    ]);
    for (const request of requests) {
      expect(WebhookReceiver.verifies(request, endpoint.secret)).toBe(true);
      expect(request.headers['content-type']).toBe('application/json');
      const payload = WebhookReceiver.payload(request);
      expect(payload.timestamp).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
      expect(Object.keys(payload.data).sort()).toEqual(
        [
          'createdAt',
          'email',
          'emailVerifiedAt',
          'erasedAt',
          'firstName',
          'id',
          'lastName',
          'status',
          'updatedAt',
          'verificationMethod',
        ].sort(),
      );
      expect(payload.data).toMatchObject({ id: user.id, email: user.email, firstName: 'Ada' });
    }
    // Not valid under any other secret: the receiver really checks.
    expect(WebhookReceiver.verifies(requests[0], `whsec_${Buffer.alloc(32, 7).toString('base64')}`)).toBe(
      false,
    );
    const verified = requests.find((request) => WebhookReceiver.payload(request).type === 'user.verified')!;
    expect(WebhookReceiver.payload(verified).data).toMatchObject({
      status: 'active',
      verificationMethod: 'admin',
    });
    // The webhook-ids are the deliveries of the log, each delivered at the first attempt.
    const deliveries = await eventually(
      async () => {
        const items = (await deliveriesOf(endpoint.id)).filter((delivery) => delivery.userId === user.id);
        return items.length === 2 && items.every((item) => item.status === 'delivered') ? items : undefined;
      },
      { what: 'both deliveries logged as delivered' },
    );
    expect(new Set(deliveries.map((delivery) => delivery.id))).toEqual(webhookIds(requests));
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({
        attemptCount: 1,
        attempts: [{ attempt: 1, outcome: 'delivered', statusCode: 200 }],
      });
    }
    const metrics = (await worker.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      new RegExp(
        `onboarding_webhook_deliveries_total\\{[^}]*endpoint="${endpoint.id}",outcome="delivered"[^}]*\\} 2`,
      ),
    );
    expect(metrics).toMatch(
      new RegExp(
        `onboarding_webhook_delivery_duration_seconds_count\\{[^}]*endpoint="${endpoint.id}"[^}]*\\} 2`,
      ),
    );
    expectNoPasswordMaterial();
    await admin('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('when the endpoint fails three times and then recovers, then it gets the event once more, four attempts are logged, and the mail and provisioning ran once', async () => {
    receiver.script('/flaky', [{ status: 500 }, { status: 503 }, { status: 500 }]);
    const endpoint = await createEndpoint('/flaky', ['user.registered']);

    const user = await register();

    const requests = await waitForRequests('/flaky', user.id, 4);
    expect(statuses(requests)).toEqual([500, 503, 500, 200]);
    expect(webhookIds(requests).size).toBe(1);
    expect(requests.every((request) => WebhookReceiver.verifies(request, endpoint.secret))).toBe(true);
    const delivery = await deliveryOf(endpoint.id, user.id);
    expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 4 });
    expect(
      delivery.attempts.map((attempt) => [attempt.attempt, attempt.outcome, attempt.statusCode]),
    ).toEqual([
      [4, 'delivered', 200],
      [3, 'retrying', 500],
      [2, 'retrying', 503],
      [1, 'retrying', 500],
    ]);
    expect(delivery.attempts[1].error).toMatch(/answered 500/);
    // The other steps ran once each, undisturbed.
    await eventually(
      async () =>
        (await env.query(`SELECT 1 FROM users WHERE id = $1 AND onboarding_status = 'completed'`, [user.id]))
          .length === 1,
      { what: 'onboarding completed' },
    );
    const steps = await env.query<{ step: string; status: string; attempts: number }>(
      `SELECT step, status, attempts FROM onboarding_steps WHERE user_id = $1 ORDER BY step`,
      [user.id],
    );
    expect(steps).toEqual([
      { step: 'deliver-webhook', status: 'completed', attempts: 4 },
      { step: 'provision-account', status: 'completed', attempts: 1 },
      { step: 'send-verification-email', status: 'completed', attempts: 1 },
    ]);
    const mails = workerLogs.lines.filter(
      (line) => line.transport === 'development-log' && (line.mail as { to?: string })?.to === user.email,
    );
    expect(mails).toHaveLength(1);
    // No more requests come: it was delivered once.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(about('/flaky', user.id)).toHaveLength(4);
    await admin('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('when an endpoint answers 410, then its delivery is dead-lettered and failed, and other endpoints and steps are unaffected', async () => {
    receiver.script('/gone', [], { status: 410 });
    const gone = await createEndpoint('/gone', ['user.registered']);
    const healthy = await createEndpoint('/healthy', ['user.registered']);

    const user = await register();

    const delivery = await deliveryOf(gone.id, user.id);
    expect(delivery).toMatchObject({
      status: 'failed',
      attemptCount: 1,
      attempts: [{ outcome: 'failed', statusCode: 410 }],
    });
    const [deadLetter] = await eventually(
      async () => {
        const rows = await env.query<{ error_code: string; attempts: number; queue: string }>(
          `SELECT error_code, attempts, queue FROM dead_letters WHERE payload->>'deliveryId' = $1`,
          [delivery.id],
        );
        return rows.length > 0 ? rows : undefined;
      },
      { what: 'the delivery in the dead-letter ledger' },
    );
    expect(deadLetter).toMatchObject({ error_code: 'WEBHOOK_REJECTED', attempts: 1 });
    expect(deadLetter.queue).toMatch(/\.step\.deliver-webhook$/);
    expect(about('/gone', user.id)).toHaveLength(1);
    expect(await deliveryOf(healthy.id, user.id)).toMatchObject({ status: 'delivered', attemptCount: 1 });
    await eventually(
      async () =>
        (await env.query(`SELECT 1 FROM users WHERE id = $1 AND onboarding_status = 'completed'`, [user.id]))
          .length === 1,
      { what: 'onboarding completed regardless' },
    );
    const units = await env.query<{ status: string; detail: { endpointId: string; url: string } }>(
      `SELECT status, detail FROM onboarding_steps WHERE user_id = $1 AND step = 'deliver-webhook'
       ORDER BY detail->>'endpointId' = $2 DESC`,
      [user.id, gone.id],
    );
    expect(units).toEqual([
      {
        status: 'failed',
        detail: expect.objectContaining({ endpointId: gone.id, url: receiver.url('/gone') }),
      },
      { status: 'completed', detail: expect.objectContaining({ endpointId: healthy.id }) },
    ]);
    await admin('DELETE', `/webhooks/${gone.id}`);
    await admin('DELETE', `/webhooks/${healthy.id}`);
  });

  it('when an endpoint answers slower than WEBHOOK_TIMEOUT_MS, then the attempt times out and the delivery is retried', async () => {
    receiver.script('/slow', [{ status: 200, delayMs: 1500 }]);
    const endpoint = await createEndpoint('/slow', ['user.registered']);

    const user = await register();

    const delivery = await deliveryOf(endpoint.id, user.id);
    expect(delivery.status).toBe('delivered');
    expect(delivery.attempts.map((attempt) => [attempt.outcome, attempt.statusCode])).toEqual([
      ['delivered', 200],
      ['retrying', null],
    ]);
    expect(delivery.attempts[1].error).toMatch(/no answer within 500 ms/);
    expect(webhookIds(about('/slow', user.id))).toEqual(new Set([delivery.id]));
    await admin('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('when an endpoint answers with a redirect, then it is not followed and the delivery fails for good', async () => {
    receiver.script('/moved', [], { status: 302, headers: { location: receiver.url('/elsewhere') } });
    const endpoint = await createEndpoint('/moved', ['user.registered']);

    const user = await register();

    const delivery = await deliveryOf(endpoint.id, user.id);
    expect(delivery).toMatchObject({
      status: 'failed',
      attemptCount: 1,
      attempts: [{ outcome: 'failed', statusCode: 302 }],
    });
    expect(delivery.lastError).toMatch(/redirect/);
    expect(receiver.at('/elsewhere')).toHaveLength(0);
    await admin('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('when the secret is rotated, then later deliveries are signed with the new secret and, during the grace period, the previous one too', async () => {
    const endpoint = await createEndpoint('/rotating', ['user.registered']);
    const first = await register();
    const [before] = await waitForRequests('/rotating', first.id, 1);
    expect(WebhookReceiver.verifies(before, endpoint.secret)).toBe(true);

    const rotated = await admin('POST', `/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const { secret: second, previousSecretExpiresAt } = rotated.json<{
      secret: string;
      previousSecretExpiresAt: string;
    }>();
    expect(second).not.toBe(endpoint.secret);
    expect(new Date(previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect((await admin('GET', `/webhooks/${endpoint.id}`)).json()).not.toHaveProperty('secret');

    const during = (await waitForRequests('/rotating', (await register()).id, 1))[0];
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(WebhookReceiver.verifies(during, second)).toBe(true);
    expect(WebhookReceiver.verifies(during, endpoint.secret)).toBe(true);

    const third = (await admin('POST', `/webhooks/${endpoint.id}/rotate-secret`)).json<{ secret: string }>()
      .secret;
    const next = (await waitForRequests('/rotating', (await register()).id, 1))[0];
    expect(WebhookReceiver.verifies(next, third)).toBe(true);
    expect(WebhookReceiver.verifies(next, second)).toBe(true);
    expect(WebhookReceiver.verifies(next, endpoint.secret)).toBe(false);

    // Once the grace period is over, only the current secret signs.
    await env.query(
      `UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
      [endpoint.id],
    );
    const after = (await waitForRequests('/rotating', (await register()).id, 1))[0];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(WebhookReceiver.verifies(after, third)).toBe(true);
    expect(WebhookReceiver.verifies(after, second)).toBe(false);
    await admin('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('when a delivery is redelivered from the log, then the endpoint gets it again with the same webhook-id', async () => {
    const endpoint = await createEndpoint('/again', ['user.registered']);
    const user = await register();
    const delivery = await deliveryOf(endpoint.id, user.id);
    expect(delivery.status).toBe('delivered');

    const redelivered = await admin('POST', `/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`);

    expect(redelivered.statusCode).toBe(202);
    expect(redelivered.json()).toMatchObject({ id: delivery.id, status: 'pending' });
    const requests = await waitForRequests('/again', user.id, 2);
    expect(webhookIds(requests)).toEqual(new Set([delivery.id]));
    expect(requests.every((request) => WebhookReceiver.verifies(request, endpoint.secret))).toBe(true);
    const again = await deliveryOf(endpoint.id, user.id);
    expect(again).toMatchObject({ status: 'delivered', attemptCount: 2 });
    expect(again.attempts.map((attempt) => attempt.attempt)).toEqual([2, 1]);
    await admin('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('when an endpoint is deleted, then its pending deliveries are skipped and never sent', async () => {
    receiver.script('/deleted', [], { status: 503, headers: { 'retry-after': '1' } });
    const endpoint = await createEndpoint('/deleted', ['user.registered']);
    const user = await register();
    await waitForRequests('/deleted', user.id, 1);

    expect((await admin('DELETE', `/webhooks/${endpoint.id}`)).statusCode).toBe(204);

    const [row] = await eventually(
      async () => {
        const rows = await env.query<{ status: string; skipped_reason: string }>(
          `SELECT status, skipped_reason FROM webhook_deliveries WHERE endpoint_id = $1`,
          [endpoint.id],
        );
        return rows.length === 1 ? rows : undefined;
      },
      { what: 'the delivery row' },
    );
    expect(row).toEqual({ status: 'skipped', skipped_reason: 'the endpoint was deleted' });
    await eventually(
      async () =>
        (
          await env.query(
            `SELECT 1 FROM onboarding_steps WHERE user_id = $1 AND step = 'deliver-webhook' AND status = 'skipped'`,
            [user.id],
          )
        ).length === 1,
      { what: 'the unit skipped on the timeline, at its next retry' },
    );
    const count = about('/deleted', user.id).length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(about('/deleted', user.id)).toHaveLength(count);
    expect((await admin('GET', `/webhooks/${endpoint.id}`)).statusCode).toBe(404);
    expect((await admin('DELETE', `/webhooks/${endpoint.id}`)).statusCode).toBe(404);
  });

  it('when a user is erased, then user.erased carries only ids and times, and the user’s pending deliveries of other events are skipped', async () => {
    const all = await createEndpoint('/privacy', [
      'user.registered',
      'user.verified',
      'user.updated',
      'user.erased',
    ]);
    receiver.script('/held', [], { status: 500 });
    const held = await createEndpoint('/held', ['user.registered']);
    const user = await register();
    await waitForRequests('/privacy', user.id, 1);
    // Onboarding changes the user's version meanwhile: any version will do here.
    const patched = await api.inject({
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'if-match': '*' },
      payload: { firstName: 'Augusta' },
    });
    expect(patched.statusCode).toBe(200);
    const [, updated] = await waitForRequests('/privacy', user.id, 2);
    expect(WebhookReceiver.payload(updated)).toMatchObject({
      type: 'user.updated',
      data: { firstName: 'Augusta', changed: ['firstName'] },
    });
    await waitForRequests('/held', user.id, 1);

    expect((await admin('DELETE', `/users/${user.id}`)).statusCode).toBe(204);

    const [, , erased] = await waitForRequests('/privacy', user.id, 3);
    const payload = WebhookReceiver.payload(erased);
    expect(payload).toEqual({
      type: 'user.erased',
      timestamp: expect.any(String),
      data: { id: user.id, erasedAt: payload.timestamp },
    });
    expect(WebhookReceiver.verifies(erased, all.secret)).toBe(true);
    const skipped = await deliveryOf(held.id, user.id);
    expect(skipped).toMatchObject({ status: 'skipped', skippedReason: 'the user was erased' });
    // Nothing about this user reaches any endpoint with personal data after the erasure.
    const count = receiver.received.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const later = receiver.received.slice(count);
    for (const request of later) {
      expect(request.body).not.toContain(user.email);
      expect(request.body).not.toContain('Augusta');
    }
    expectNoPasswordMaterial();
    await admin('DELETE', `/webhooks/${all.id}`);
    await admin('DELETE', `/webhooks/${held.id}`);
  });

  it('when private networks are not allowed, then an endpoint on a loopback, private or link-local address is refused at registration', async () => {
    const guarded = await startApi(env.config());
    try {
      for (const url of [
        'https://127.0.0.1:8443/hook',
        'https://localhost/hook',
        'https://[::1]/hook',
        'https://[::ffff:127.0.0.1]/hook',
        'https://10.1.2.3/hook',
        'https://192.168.0.10/hook',
        'https://169.254.169.254/latest/meta-data',
        'https://0.0.0.0/hook',
        receiver.url('/plain-http'),
      ]) {
        const response = await guarded.inject({
          method: 'POST',
          url: '/webhooks',
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
          payload: { url, events: ['user.registered'] },
        });
        expect({ url, status: response.statusCode, code: response.json<{ code: string }>().code }).toEqual({
          url,
          status: 400,
          code: 'WEBHOOK_URL_NOT_ALLOWED',
        });
      }
    } finally {
      await guarded.close();
    }
  });
});
