import type { AppConfig } from '@app/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { LogCapture, startApi, startWorker } from '../support/apps';
import { BrokerProbe } from '../support/broker';
import {
  createTestEnvironment,
  eventually,
  TEST_ADMIN_TOKEN,
  TestEnvironment,
} from '../support/test-environment';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const PROBLEM_JSON = /^application\/problem\+json/;

interface DeadLetterView {
  messageId: string;
  status: string;
  errorCode: string;
  deadLetteredAt: string;
  timesDeadLettered: number;
  replayCount: number;
  occurrences?: { errorCode: string; resolution: string | null }[];
  [field: string]: unknown;
}

interface Timeline {
  userId: string;
  onboardingStatus: string;
  steps: {
    step: string;
    status: string;
    attempts: number;
    lastError: string | null;
    messageId: string | null;
  }[];
  deadLetters: { messageId: string; errorCode: string; status: string }[];
}

/**
 * The API and the worker in-process against the real PostgreSQL and RabbitMQ: the worker moves its DLQ into
 * the ledger, the API lists, replays (through the outbox) and discards. Retries are quick: one retry after
 * ~100 ms, then the dead-letter queue.
 */
describe('dead-letter ledger and replay, end to end', () => {
  let env: TestEnvironment;
  let config: AppConfig;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;
  let broker: BrokerProbe;
  let deadLetterExchange: Awaited<ReturnType<Awaited<ReturnType<typeof connect>>['createConfirmChannel']>>;
  let deadLetterExchangeConnection: Awaited<ReturnType<typeof connect>>;
  const workerLogs = new LogCapture();

  beforeAll(async () => {
    env = await createTestEnvironment();
    const quickRetries = { RETRY_INITIAL_DELAY_MS: '100', RETRY_MAX_ATTEMPTS: '2' };
    config = env.config(quickRetries);
    // Fault injection: completing provision-account for a user whose email starts with "broken." fails, as a
    // broken dependency would, until the test "repairs" the user by changing the email.
    await env.query(`
      CREATE FUNCTION test_break_onboarding() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'completed' AND NEW.step = 'provision-account'
           AND EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND email LIKE 'broken.%') THEN
          RAISE EXCEPTION 'provisioning is down for user %', NEW.user_id;
        END IF;
        RETURN NEW;
      END $$`);
    await env.query(`
      CREATE TRIGGER test_break_onboarding BEFORE INSERT OR UPDATE ON onboarding_steps
      FOR EACH ROW EXECUTE FUNCTION test_break_onboarding()`);
    worker = await startWorker(env.config({ ...quickRetries, LOG_LEVEL: 'info' }), { logs: workerLogs });
    api = await startApi(config);
    broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
    deadLetterExchangeConnection = await connect(env.rabbitmqUrl);
    deadLetterExchange = await deadLetterExchangeConnection.createConfirmChannel();
  });

  afterAll(async () => {
    await deadLetterExchange?.close();
    await deadLetterExchangeConnection?.close();
    await broker?.close();
    await api?.close();
    await worker?.close();
    await env?.cleanup();
  });

  const get = (url: string, headers: Record<string, string> = admin) =>
    api.inject({ method: 'GET', url, headers });
  const post = (url: string, payload?: object, headers: Record<string, string> = admin) =>
    api.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
  const deadLetterUrl = (messageId: string) => `/dead-letters/${encodeURIComponent(messageId)}`;

  /** Waits until the ledger holds the message (and, optionally, until it is in the wanted state). */
  const waitForLedger = (messageId: string, wanted: (letter: DeadLetterView) => boolean = () => true) =>
    eventually(
      async () => {
        const response = await get(deadLetterUrl(messageId));
        const letter = response.statusCode === 200 ? response.json<DeadLetterView>() : undefined;
        return letter && wanted(letter) ? letter : undefined;
      },
      { what: `dead letter ${messageId} in the ledger` },
    );

  const timeline = async (userId: string) => {
    const response = await get(`/users/${userId}/onboarding`);
    expect(response.statusCode).toBe(200);
    return response.json<Timeline>();
  };

  const waitForOnboarding = (userId: string, status: string) =>
    eventually(async () => ((await timeline(userId)).onboardingStatus === status ? true : undefined), {
      what: `onboarding of ${userId} ${status}`,
    });

  const registerUser = async (emailPrefix: string) => {
    const response = await post('/users', {
      email: `${emailPrefix}.${randomUUID()}@example.com`,
      password: 'correct horse battery staple',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(response.statusCode).toBe(201);
    const userId = response.json<{ id: string }>().id;
    const [outbox] = await env.query<{ id: string }>(
      `SELECT id FROM outbox_messages WHERE payload->>'userId' = $1`,
      [userId],
    );
    return { userId, messageId: outbox.id };
  };

  /** A registered user whose onboarding fails on every attempt until repaired: dead-lettered after 2. */
  const userWithFailedOnboarding = async () => {
    const user = await registerUser('broken');
    await waitForLedger(user.messageId);
    return user;
  };

  const repair = (userId: string) =>
    env.query(`UPDATE users SET email = 'repaired.' || id || '@example.com' WHERE id = $1`, [userId]);

  /** A user row written directly, for a message that named a user before the user existed. */
  const insertUser = (userId: string) =>
    env.query(
      `INSERT INTO users (id, email, password_hash, first_name, last_name) VALUES ($1, $2, 'not-a-hash', 'Late', 'Comer')`,
      [userId, `late.${userId}@example.com`],
    );

  /** A valid user.registered for a user that does not exist (yet): dead-lettered at once with USER_NOT_FOUND. */
  const publishForUnknownUser = async () => {
    const userId = randomUUID();
    const messageId = randomUUID();
    await broker.publishEvent(
      'user.registered',
      { userId, registeredAt: new Date().toISOString() },
      { messageId, type: 'user.registered', headers: { 'x-request-id': `unknown-${userId}` } },
    );
    await waitForLedger(messageId);
    return { userId, messageId };
  };

  /** A dead letter as the worker would publish it, straight to the dead-letter exchange. */
  /** A dead letter as the worker publishes one: `publishId` is the id of that publish (see ConfirmPublisher). */
  const publishDeadLetter = async (
    messageId: string,
    routingKey: string,
    errorCode: string,
    lastFailureAt = new Date().toISOString(),
    publishId = randomUUID(),
    failedQueue?: string,
  ) => {
    deadLetterExchange.publish(
      broker.names.deadLetterExchange,
      routingKey,
      Buffer.from(JSON.stringify({ probe: messageId })),
      {
        messageId,
        type: routingKey,
        contentType: 'application/json',
        persistent: true,
        headers: {
          'x-error-code': errorCode,
          'x-error-message': `probe ${errorCode}`,
          'x-attempts': 1,
          'x-first-failure-at': lastFailureAt,
          'x-last-failure-at': lastFailureAt,
          'x-original-exchange': broker.names.eventsExchange,
          'x-original-routing-key': routingKey,
          'x-publish-id': publishId,
          ...(failedQueue ? { 'x-failed-queue': failedQueue } : {}),
        },
      },
    );
    await deadLetterExchange.waitForConfirms();
  };

  /** How often the ledger said it had this dead letter already (a log line of the worker). */
  const skippedRepeats = (messageId: string) =>
    workerLogs.lines.filter(
      (line) => line.messageId === messageId && /recorded before/.test(String(line.msg)),
    ).length;

  const databaseNow = async () =>
    (await env.query<{ now: Date }>('SELECT clock_timestamp() AS now'))[0].now.toISOString();

  describe('a registration whose onboarding fails on every attempt', () => {
    it('when its retries run out, then the ledger holds it pending and the timeline shows the user failed and dead-lettered', async () => {
      const { userId, messageId } = await userWithFailedOnboarding();

      const deadLetter = await waitForLedger(messageId);
      expect(deadLetter).toMatchObject({
        messageId,
        status: 'pending',
        errorCode: 'HANDLER_FAILED',
        errorMessage: expect.stringContaining('provisioning is down'),
        attempts: 2,
        routingKey: 'user.registered',
        deadLetteredBy: 'worker',
        timesDeadLettered: 1,
        replayCount: 0,
        replayable: true,
        payload: { userId, registeredAt: expect.any(String) },
      });
      const view = await timeline(userId);
      expect(view).toEqual({
        userId,
        onboardingStatus: 'failed',
        failedStep: 'provision-account',
        steps: [
          {
            step: 'provision-account',
            unit: '',
            status: 'failed',
            required: true,
            attempts: 2,
            lastError: expect.stringMatching(/^HANDLER_FAILED: .*provisioning is down/),
            skippedReason: null,
            messageId,
            detail: {},
            createdAt: expect.any(String),
            startedAt: expect.any(String),
            updatedAt: expect.any(String),
            completedAt: null,
            deadLetteredAt: expect.any(String),
          },
        ],
        deadLetters: [
          {
            messageId,
            errorCode: 'HANDLER_FAILED',
            errorMessage: expect.stringContaining('provisioning is down'),
            status: 'pending',
            deadLetteredAt: deadLetter.deadLetteredAt,
          },
        ],
      });
    });

    it('when it is replayed after the cause is repaired, then the user completes once and the dead letter is replayed', async () => {
      const { userId, messageId } = await userWithFailedOnboarding();
      await repair(userId);

      const response = await post(`${deadLetterUrl(messageId)}/replay`);

      expect(response.statusCode).toBe(202);
      expect(response.json()).toEqual({ messageId, status: 'replayed' });
      await waitForOnboarding(userId, 'completed');
      const view = await timeline(userId);
      // The failed step completes on its third attempt; the step it schedules runs once, as for anyone.
      expect(view.steps).toEqual([
        expect.objectContaining({
          step: 'provision-account',
          status: 'completed',
          attempts: 3,
          lastError: null,
          deadLetteredAt: null,
        }),
        expect.objectContaining({ step: 'send-verification-email', status: 'completed', attempts: 1 }),
      ]);
      expect(view.deadLetters).toEqual([expect.objectContaining({ messageId, status: 'replayed' })]);
      await expect(waitForLedger(messageId)).resolves.toMatchObject({
        status: 'replayed',
        replayCount: 1,
        replayedAt: expect.any(String),
        timesDeadLettered: 1,
      });
      const inbox = await env.query('SELECT 1 FROM inbox_messages WHERE message_id = $1', [messageId]);
      expect(inbox).toHaveLength(1);
      const replays = await env.query<{ headers: Record<string, string> }>(
        'SELECT headers FROM outbox_messages WHERE message_id = $1',
        [messageId],
      );
      expect(replays).toHaveLength(1);
      expect(replays[0].headers).toMatchObject({
        'x-replay-of': messageId,
        'x-request-id': expect.any(String),
      });
      expect(replays[0].headers).not.toHaveProperty('x-error-code');
      expect(replays[0].headers).not.toHaveProperty('x-attempt');
    });

    it('when a replayed dead letter is replayed again, then 409 DEAD_LETTER_NOT_PENDING and nothing is queued', async () => {
      const { userId, messageId } = await userWithFailedOnboarding();
      await repair(userId);
      expect((await post(`${deadLetterUrl(messageId)}/replay`)).statusCode).toBe(202);

      const again = await post(`${deadLetterUrl(messageId)}/replay`);

      expect(again.statusCode).toBe(409);
      expect(again.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(again.json()).toMatchObject({ status: 409, code: 'DEAD_LETTER_NOT_PENDING' });
      const replays = await env.query('SELECT 1 FROM outbox_messages WHERE message_id = $1', [messageId]);
      expect(replays).toHaveLength(1);
    });

    it('when a replay fails again, then the dead letter is pending again and counted twice', async () => {
      const { userId, messageId } = await userWithFailedOnboarding();

      expect((await post(`${deadLetterUrl(messageId)}/replay`)).statusCode).toBe(202);

      const deadLetter = await waitForLedger(messageId, (letter) => letter.timesDeadLettered === 2);
      expect(deadLetter).toMatchObject({ status: 'pending', replayCount: 1, attempts: 2 });
      const view = await timeline(userId);
      expect(view.onboardingStatus).toBe('failed');
      expect(view.steps).toEqual([expect.objectContaining({ status: 'failed', attempts: 4 })]);
    });
  });

  describe('bulk replay', () => {
    it('when it is a dry run, then it names the matching dead letters and changes nothing; for real, it replays them', async () => {
      const from = await databaseNow();
      const letters = [
        await publishForUnknownUser(),
        await publishForUnknownUser(),
        await publishForUnknownUser(),
      ];
      const ids = letters.map((letter) => letter.messageId);
      // Replays only: a replayed registration that completes schedules its mail step, another outbox row.
      const outboxRows = async () =>
        Number(
          (
            await env.query<{ n: string }>(
              `SELECT count(*) AS n FROM outbox_messages WHERE headers ? 'x-replay-of'`,
            )
          )[0].n,
        );
      const rowsBefore = await outboxRows();

      const dryRun = await post('/dead-letters/replay', { errorCode: 'USER_NOT_FOUND', from, dryRun: true });

      expect(dryRun.statusCode).toBe(200);
      expect(dryRun.json()).toEqual({ dryRun: true, count: 3, messageIds: expect.any(Array) });
      const listed = dryRun.json<{ messageIds: string[] }>().messageIds;
      expect([...listed].sort()).toEqual([...ids].sort());
      expect(await outboxRows()).toBe(rowsBefore);
      const statuses = await env.query<{ status: string }>(
        'SELECT status FROM dead_letters WHERE message_id = ANY($1)',
        [ids],
      );
      expect(statuses.map((row) => row.status)).toEqual(['pending', 'pending', 'pending']);

      for (const { userId } of letters) await insertUser(userId);
      const firstBatch = await post('/dead-letters/replay', { errorCode: 'USER_NOT_FOUND', from, limit: 2 });
      const rest = await post('/dead-letters/replay', { errorCode: 'USER_NOT_FOUND', from });

      expect(firstBatch.json()).toEqual({ dryRun: false, count: 2, messageIds: listed.slice(0, 2) });
      expect(rest.json()).toEqual({ dryRun: false, count: 1, messageIds: listed.slice(2) });
      expect(await outboxRows()).toBe(rowsBefore + 3);
      for (const { userId, messageId } of letters) {
        await waitForOnboarding(userId, 'completed');
        await expect(waitForLedger(messageId)).resolves.toMatchObject({ status: 'replayed', replayCount: 1 });
      }
    });

    it('when two steps dead-lettered the same event with the same code, then the queue filter tells their letters apart', async () => {
      const errorCode = `SHARED_${randomUUID().slice(0, 8).toUpperCase()}`;
      const [provision, webhook] = [
        broker.stepQueue('provision-account'),
        broker.stepQueue('deliver-webhook'),
      ];
      const [first, second] = [randomUUID(), randomUUID()];
      const when = new Date().toISOString();
      await publishDeadLetter(first, 'user.registered', errorCode, when, randomUUID(), provision);
      await publishDeadLetter(second, 'user.registered', errorCode, when, randomUUID(), webhook);
      await waitForLedger(first);
      await waitForLedger(second);

      const listed = await get(`/dead-letters?errorCode=${errorCode}&queue=${encodeURIComponent(provision)}`);
      const dryRun = await post('/dead-letters/replay', { errorCode, queue: webhook, dryRun: true });
      const both = await post('/dead-letters/replay', { errorCode, dryRun: true });

      expect(listed.json<{ items: { messageId: string }[] }>().items.map((item) => item.messageId)).toEqual([
        first,
      ]);
      expect(dryRun.json()).toMatchObject({ dryRun: true, count: 1, messageIds: [second] });
      expect(both.json()).toMatchObject({ count: 2 });
    });

    it('when the body has an unknown field or an out-of-range limit, then 400 VALIDATION_FAILED', async () => {
      const responses = await Promise.all([
        post('/dead-letters/replay', { status: 'pending' }),
        post('/dead-letters/replay', { limit: 1001 }),
        post('/dead-letters/replay', { dryRun: 'yes' }),
        post('/dead-letters/replay', { from: 'yesterday' }),
        post('/dead-letters/replay', { from: '2026-W48-1' }),
        post('/dead-letters/replay', { to: '2026-335' }),
      ]);

      for (const response of responses) {
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
    });
  });

  describe('discard', () => {
    it('when a dead letter is not JSON, then it cannot be replayed (422), can be discarded once, and then not replayed', async () => {
      const messageId = randomUUID();
      await broker.publishEvent('user.registered', Buffer.from('<xml/>'), {
        messageId,
        type: 'user.registered',
      });
      await expect(waitForLedger(messageId)).resolves.toMatchObject({
        errorCode: 'MESSAGE_NOT_JSON',
        body: '<xml/>',
        payload: null,
        replayable: false,
      });

      const replay = await post(`${deadLetterUrl(messageId)}/replay`);
      const discard = await post(`${deadLetterUrl(messageId)}/discard`);
      const discardAgain = await post(`${deadLetterUrl(messageId)}/discard`);
      const replayDiscarded = await post(`${deadLetterUrl(messageId)}/replay`);

      expect(replay.statusCode).toBe(422);
      expect(replay.json()).toMatchObject({ code: 'DEAD_LETTER_NOT_REPLAYABLE' });
      expect(discard.statusCode).toBe(200);
      expect(discard.json()).toMatchObject({
        messageId,
        status: 'discarded',
        discardedAt: expect.any(String),
      });
      expect(discardAgain.statusCode).toBe(409);
      expect(replayDiscarded.statusCode).toBe(409);
      expect(replayDiscarded.json()).toMatchObject({ code: 'DEAD_LETTER_NOT_PENDING' });
      await expect(waitForLedger(messageId)).resolves.toMatchObject({ status: 'discarded', replayCount: 0 });
    });
  });

  describe('recording', () => {
    it('when the DLQ delivers a dead letter twice, then it counts once; dead-lettered again after a discard, it is a new occurrence whatever its clock says, and the discard stays on the first', async () => {
      const messageId = `probe:${randomUUID()}/with-separators`;
      const routingKey = `test.record.${randomUUID()}`;
      const failedAt = new Date(Date.now() - 60_000).toISOString();
      const firstPublish = randomUUID();

      await publishDeadLetter(messageId, routingKey, 'FIRST_FAILURE', failedAt, firstPublish);
      await publishDeadLetter(messageId, routingKey, 'FIRST_FAILURE', failedAt, firstPublish);
      await eventually(async () => skippedRepeats(messageId) === 1, { what: 'the repeat to be skipped' });
      await expect(waitForLedger(messageId)).resolves.toMatchObject({
        errorCode: 'FIRST_FAILURE',
        timesDeadLettered: 1,
      });
      expect((await post(`${deadLetterUrl(messageId)}/discard`)).statusCode).toBe(200);

      // Dead-lettered again, by a producer whose clock is an hour behind: a new occurrence all the same.
      const skewed = new Date(Date.now() - 3_600_000).toISOString();
      await publishDeadLetter(messageId, routingKey, 'SECOND_FAILURE', skewed);

      const again = await waitForLedger(messageId, (letter) => letter.timesDeadLettered === 2);
      expect(again).toMatchObject({ errorCode: 'SECOND_FAILURE', status: 'pending', routingKey });
      expect(again.occurrences).toEqual([
        expect.objectContaining({ errorCode: 'FIRST_FAILURE', resolution: 'discarded' }),
        expect.objectContaining({ errorCode: 'SECOND_FAILURE', resolution: null }),
      ]);

      // The first dead letter delivered once more: the same occurrence, already recorded; nothing changes.
      await publishDeadLetter(messageId, routingKey, 'FIRST_FAILURE', failedAt, firstPublish);

      await eventually(async () => skippedRepeats(messageId) === 2, {
        what: 'the stale repeat to be skipped',
      });
      await expect(waitForLedger(messageId)).resolves.toMatchObject({
        errorCode: 'SECOND_FAILURE',
        status: 'pending',
        timesDeadLettered: 2,
      });
    });
  });

  describe('list and inspect', () => {
    const routingKey = `test.page.${randomUUID()}`;
    const ids = Array.from({ length: 5 }, () => randomUUID());

    beforeAll(async () => {
      for (const id of ids) await publishDeadLetter(id, routingKey, 'PAGE_PROBE');
      await eventually(
        async () => {
          const response = await get(`/dead-letters?routingKey=${routingKey}&limit=100`);
          return response.json<{ items: unknown[] }>().items.length === ids.length;
        },
        { what: 'every probe dead letter in the ledger' },
      );
    });

    it('when paging with a limit, then each dead letter comes once, in order, and the last page has no cursor', async () => {
      const seen: DeadLetterView[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `routingKey=${routingKey}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const response = await get(`/dead-letters?${query}`);
        expect(response.statusCode).toBe(200);
        const page = response.json<{ items: DeadLetterView[]; nextCursor: string | null }>();
        seen.push(...page.items);
        cursor = page.nextCursor;
        pages++;
      } while (cursor);

      expect(pages).toBe(3);
      expect(seen.map((item) => item.messageId).sort()).toEqual([...ids].sort());
      const times = seen.map((item) => item.deadLetteredAt);
      expect(times).toEqual([...times].sort());
      expect(seen[0]).not.toHaveProperty('body');
      expect(seen[0]).not.toHaveProperty('errorStack');
      expect(seen[0]).not.toHaveProperty('headers');
    });

    it('when filtering by status, error code and time, then only the matching dead letters are listed', async () => {
      await post(`${deadLetterUrl(ids[0])}/discard`);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const list = async (query: string) =>
        (await get(`/dead-letters?routingKey=${routingKey}&${query}`))
          .json<{ items: DeadLetterView[] }>()
          .items.map((item) => item.messageId);

      await expect(list('status=discarded')).resolves.toEqual([ids[0]]);
      await expect(list('status=pending')).resolves.toHaveLength(4);
      await expect(list('errorCode=PAGE_PROBE')).resolves.toHaveLength(5);
      await expect(list('errorCode=SOMETHING_ELSE')).resolves.toEqual([]);
      await expect(list(`from=${encodeURIComponent(future)}`)).resolves.toEqual([]);
      await expect(list(`to=${encodeURIComponent(future)}`)).resolves.toHaveLength(5);
      await expect(list('to=2020-01-01T00:00:00Z')).resolves.toEqual([]);
    });

    it('when a dead letter is fetched, then the body, payload, headers and stack come with it', async () => {
      const response = await get(deadLetterUrl(ids[1]));

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        messageId: ids[1],
        type: routingKey,
        routingKey,
        exchange: broker.names.eventsExchange,
        contentType: 'application/json',
        body: JSON.stringify({ probe: ids[1] }),
        payload: { probe: ids[1] },
        headers: { 'x-error-code': 'PAGE_PROBE', 'x-attempts': 1 },
        errorStack: null,
        errorCode: 'PAGE_PROBE',
        errorMessage: 'probe PAGE_PROBE',
        deadLetteredBy: 'worker',
        replayable: true,
      });
    });

    it.each([
      ['limit=0'],
      ['limit=101'],
      ['status=lost'],
      ['from=yesterday'],
      ['from=2026-W48-1'],
      ['to=2026-335'],
      ['errorCode=lower_case'],
      ['colour=blue'],
    ])('when the query is %s, then 400 VALIDATION_FAILED', async (query) => {
      const response = await get(`/dead-letters?${query}`);

      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('when the cursor is not one the API made, then 400 INVALID_CURSOR', async () => {
      const response = await get('/dead-letters?cursor=bm90LWEtY3Vyc29y');

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'INVALID_CURSOR' });
    });

    it.each([
      ['GET', '/dead-letters'],
      ['GET', '/dead-letters/some-id'],
      ['POST', '/dead-letters/some-id/replay'],
      ['POST', '/dead-letters/some-id/discard'],
      ['POST', '/dead-letters/replay'],
      ['GET', '/users/0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f/onboarding'],
    ])('when %s %s comes without a bearer token, then 401', async (method, url) => {
      const response = await api.inject({
        method: method as 'GET' | 'POST',
        url,
        payload: method === 'POST' ? {} : undefined,
      });

      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    });

    it.each([
      ['GET', ''],
      ['POST', '/replay'],
      ['POST', '/discard'],
    ])('when %s …%s names an unknown message id, then 404 DEAD_LETTER_NOT_FOUND', async (method, suffix) => {
      const url = `${deadLetterUrl(`unknown-${randomUUID()}`)}${suffix}`;

      const response = method === 'GET' ? await get(url) : await post(url);

      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND' });
    });
  });

  describe('documentation', () => {
    it('when /docs-json is fetched, then every dead-letter route is documented, admin-only, with its problems', async () => {
      const document = (await get('/docs-json', {})).json<{
        paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
      }>();

      const routes = [
        ['/dead-letters', 'get', ['200', '400', '401']],
        ['/dead-letters/{messageId}', 'get', ['200', '401', '404']],
        ['/dead-letters/{messageId}/replay', 'post', ['202', '401', '404', '409', '422']],
        ['/dead-letters/replay', 'post', ['200', '400', '401']],
        ['/dead-letters/{messageId}/discard', 'post', ['200', '401', '404', '409']],
        ['/users/{id}/onboarding', 'get', ['200', '400', '401', '404']],
      ] as const;
      for (const [path, method, statuses] of routes) {
        const operation = document.paths[path]?.[method];
        expect(operation?.security).toEqual([{ admin: [] }]);
        expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining([...statuses]));
      }
    });
  });

  describe("a user's onboarding timeline", () => {
    it('when onboarding succeeded at once, then each step completed with one attempt, each by its own message, and no dead letters', async () => {
      const { userId } = await registerUser('fine');

      await waitForOnboarding(userId, 'completed');

      const completedOnce = (step: string) => ({
        step,
        unit: '',
        status: 'completed',
        required: true,
        attempts: 1,
        lastError: null,
        skippedReason: null,
        messageId: expect.any(String),
        detail: step === 'send-verification-email' ? { reason: 'registration' } : {},
        createdAt: expect.any(String),
        startedAt: expect.any(String),
        updatedAt: expect.any(String),
        completedAt: expect.any(String),
        deadLetteredAt: null,
      });
      const view = await timeline(userId);
      expect(view).toEqual({
        userId,
        onboardingStatus: 'completed',
        failedStep: null,
        steps: [completedOnce('provision-account'), completedOnce('send-verification-email')],
        deadLetters: [],
      });
      expect(view.steps[0].messageId).not.toBe(view.steps[1].messageId);
    });

    it('when the user does not exist, then 404 USER_NOT_FOUND; when the id is not a UUID, then 400', async () => {
      const unknown = await get(`/users/${randomUUID()}/onboarding`);
      const malformed = await get('/users/not-a-uuid/onboarding');

      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ code: 'USER_NOT_FOUND' });
      expect(malformed.statusCode).toBe(400);
    });
  });
});

/**
 * A message that waits in the worker queue longer than its TTL is dead-lettered by the broker itself. The
 * worker queue here has the minimum TTL (1 s); a first worker declares it and stops, so that the message waits
 * with nobody consuming, then a second worker ingests what the broker dead-lettered.
 */
describe('a message that expires in the worker queue', () => {
  let env: TestEnvironment;
  let config: AppConfig;
  let api: NestFastifyApplication | undefined;
  let worker: NestFastifyApplication | undefined;
  let broker: BrokerProbe;

  beforeAll(async () => {
    env = await createTestEnvironment();
    // One attempt only: no retry tiers to declare (and clean up).
    config = env.config({ RABBITMQ_MESSAGE_TTL_MS: '1000', RETRY_MAX_ATTEMPTS: '1' });
    await (await startWorker(config)).close();
    broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
  });

  afterAll(async () => {
    await broker?.close();
    await api?.close();
    await worker?.close();
    await env?.cleanup();
  });

  it('when nobody consumed it in time, then it lands in the ledger as EXPIRED, fails the user, and a replay completes it', async () => {
    const userId = randomUUID();
    const messageId = randomUUID();
    await env.query(
      `INSERT INTO users (id, email, password_hash, first_name, last_name) VALUES ($1, $2, 'not-a-hash', 'Ada', 'Lovelace')`,
      [userId, `expiring.${userId}@example.com`],
    );
    await broker.publishEvent(
      'user.registered',
      { userId, registeredAt: new Date().toISOString() },
      { messageId, type: 'user.registered', headers: { 'x-request-id': 'expiring' } },
    );
    await eventually(async () => (await broker.queueDepth(broker.names.deadLetterQueue)) === 1, {
      what: 'the broker to dead-letter the expired message',
    });

    worker = await startWorker(config);
    api = await startApi(config);

    const ledger = await eventually(
      async () => {
        const response = await api!.inject({
          method: 'GET',
          url: `/dead-letters/${messageId}`,
          headers: admin,
        });
        return response.statusCode === 200 ? response.json<DeadLetterView>() : undefined;
      },
      { what: 'the expired message in the ledger' },
    );
    expect(ledger).toMatchObject({
      messageId,
      errorCode: 'EXPIRED',
      deadLetteredBy: 'broker',
      routingKey: 'user.registered',
      exchange: broker.names.eventsExchange,
      requestId: 'expiring',
      status: 'pending',
      replayable: true,
    });
    const failed = (
      await api.inject({ method: 'GET', url: `/users/${userId}/onboarding`, headers: admin })
    ).json<Timeline>();
    expect(failed.onboardingStatus).toBe('failed');
    expect(failed.steps).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 0,
        lastError: expect.stringMatching(/^EXPIRED: /),
      }),
    ]);

    const replay = await api.inject({
      method: 'POST',
      url: `/dead-letters/${messageId}/replay`,
      headers: admin,
    });

    expect(replay.statusCode).toBe(202);
    await eventually(
      async () =>
        (
          await api!.inject({ method: 'GET', url: `/users/${userId}/onboarding`, headers: admin })
        ).json<Timeline>().onboardingStatus === 'completed',
      { what: 'the replayed registration to complete' },
    );
  });
});
