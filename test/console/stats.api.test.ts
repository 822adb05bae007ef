import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { startApi } from '../support/apps';
import { createTestEnvironment, TEST_ADMIN_TOKEN, TestEnvironment } from '../support/test-environment';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

interface FunnelBody {
  from: string;
  to: string;
  hours: {
    start: string;
    end: string;
    registered: number;
    verified: number;
    onboarded: number;
    failed: number;
  }[];
  totals: Record<string, number>;
  cohort: Record<string, number>;
}

interface GroupsBody {
  status: string;
  groups: Record<string, unknown>[];
  truncated: boolean;
}

const at = (time: string) => `2026-03-01T${time}Z`;

/**
 * The console's read endpoints against the real PostgreSQL: users and onboarding steps are written with chosen
 * times (the worker's own writes are exercised by the browser test), so every hour's count is known.
 */
describe('operator statistics: GET /stats/funnel and GET /dead-letters/groups', () => {
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

  const get = (url: string, headers: Record<string, string> = admin) =>
    app.inject({ method: 'GET', url, headers });

  const user = async (
    created: string,
    onboarding: 'pending' | 'completed' | 'failed',
    verified: string | null = null,
  ) => {
    const id = randomUUID();
    await env.query(
      `INSERT INTO users (id, email, password_hash, first_name, last_name, created_at, email_verified_at,
         onboarding_status, status)
       VALUES ($1, $2, 'not-a-hash', 'Ada', 'Lovelace', $3, $4, $5, $6)`,
      [
        id,
        `funnel.${id}@example.com`,
        created,
        verified,
        onboarding,
        verified ? 'active' : 'pending_verification',
      ],
    );
    return id;
  };

  const unit = (
    userId: string,
    step: string,
    status: 'pending' | 'completed' | 'failed',
    times: { completed?: string; deadLettered?: string } = {},
    { unit = '', required = true } = {},
  ) =>
    env.query(
      `INSERT INTO onboarding_steps (user_id, step, unit, status, attempts, required, updated_at, completed_at,
         dead_lettered_at)
       VALUES ($1, $2, $3, $4, 1, $5, now(), $6, $7)`,
      [userId, step, unit, status, required, times.completed ?? null, times.deadLettered ?? null],
    );

  const PROVISION = 'provision-account';
  const MAIL = 'send-verification-email';

  describe('the funnel', () => {
    beforeAll(async () => {
      // Onboarded in the first hour, verified in the second.
      const first = await user(at('10:05:00'), 'completed', at('11:30:00'));
      await unit(first, PROVISION, 'completed', { completed: at('10:05:01') });
      await unit(first, MAIL, 'completed', { completed: at('10:06:00') });
      // Its mail dead-lettered in the first hour: failed there.
      const broken = await user(at('10:20:00'), 'failed');
      await unit(broken, PROVISION, 'completed', { completed: at('10:20:01') });
      await unit(broken, MAIL, 'failed', { deadLettered: at('10:50:00') });
      // Still waiting for its mail.
      const waiting = await user(at('11:10:00'), 'pending');
      await unit(waiting, PROVISION, 'completed', { completed: at('11:10:01') });
      await unit(waiting, MAIL, 'pending');
      // Registered before the range; verified in the first hour, onboarded in the third.
      const early = await user(at('09:00:00'), 'completed', at('10:30:00'));
      await unit(early, PROVISION, 'completed', { completed: at('09:00:01') });
      await unit(early, MAIL, 'completed', { completed: at('12:15:00') });
      // Registered in the last millisecond of the range, onboarded just after it.
      const late = await user(at('12:59:59.999'), 'completed');
      await unit(late, PROVISION, 'completed', { completed: at('12:59:59.999') });
      await unit(late, MAIL, 'completed', { completed: at('13:00:00') });
      // Failed, then retried: the unit is done again and no longer dead-lettered, so it counts as onboarded.
      const repaired = await user(at('10:40:00'), 'completed');
      await unit(repaired, PROVISION, 'completed', { completed: at('11:05:00') });
      await unit(repaired, MAIL, 'completed', { completed: at('11:05:30') });
      // A resent mail (a unit that is not required) does not move the time onboarding completed.
      const resent = await user(at('10:10:00'), 'completed');
      await unit(resent, PROVISION, 'completed', { completed: at('10:10:01') });
      await unit(resent, MAIL, 'completed', { completed: at('10:11:00') });
      await unit(
        resent,
        MAIL,
        'completed',
        { completed: at('12:30:00') },
        { unit: randomUUID(), required: false },
      );
      // After the range.
      await user(at('13:00:00'), 'pending');
    });

    it('when a range of three hours is asked for, then each hour counts what happened in it and the cohort where its users stand', async () => {
      const response = await get(`/stats/funnel?from=${at('10:00:00')}&to=${at('13:00:00')}`);

      expect(response.statusCode).toBe(200);
      expect(response.json<FunnelBody>()).toEqual({
        from: '2026-03-01T10:00:00.000Z',
        to: '2026-03-01T13:00:00.000Z',
        hours: [
          {
            start: '2026-03-01T10:00:00.000Z',
            end: '2026-03-01T11:00:00.000Z',
            registered: 4,
            verified: 1,
            onboarded: 2,
            failed: 1,
          },
          {
            start: '2026-03-01T11:00:00.000Z',
            end: '2026-03-01T12:00:00.000Z',
            registered: 1,
            verified: 1,
            onboarded: 1,
            failed: 0,
          },
          {
            start: '2026-03-01T12:00:00.000Z',
            end: '2026-03-01T13:00:00.000Z',
            registered: 1,
            verified: 0,
            onboarded: 1,
            failed: 0,
          },
        ],
        totals: { registered: 6, verified: 2, onboarded: 4, failed: 1 },
        cohort: { registered: 6, verified: 1, onboarded: 4, failed: 1, pending: 1 },
      });
    });

    it('when the range does not start on a whole hour, then the hours start at from and the last one ends at to', async () => {
      const response = await get(`/stats/funnel?from=${at('10:30:00')}&to=${at('12:00:00')}`);

      expect(response.statusCode).toBe(200);
      const body = response.json<FunnelBody>();
      expect(body.hours.map(({ start, end, registered }) => ({ start, end, registered }))).toEqual([
        { start: '2026-03-01T10:30:00.000Z', end: '2026-03-01T11:30:00.000Z', registered: 2 },
        { start: '2026-03-01T11:30:00.000Z', end: '2026-03-01T12:00:00.000Z', registered: 0 },
      ]);
      // An offset names the same instants.
      const shifted = await get(
        `/stats/funnel?from=2026-03-01T12:00:00%2B01:30&to=2026-03-01T13:30:00%2B01:30`,
      );
      expect(shifted.json<FunnelBody>().hours).toEqual(body.hours);
    });

    it('when no range is given, then it is the 24 hours up to the end of the current hour', async () => {
      const before = Date.now();
      const response = await get('/stats/funnel');

      expect(response.statusCode).toBe(200);
      const body = response.json<FunnelBody>();
      const to = new Date(body.to).getTime();
      expect(to % 3_600_000).toBe(0);
      expect(to).toBeGreaterThan(before);
      expect(to - Date.now()).toBeLessThanOrEqual(3_600_000);
      expect(to - new Date(body.from).getTime()).toBe(24 * 3_600_000);
      expect(body.hours).toHaveLength(24);
    });

    it('when the range is exactly 31 days, then it answers 744 hours', async () => {
      const response = await get(`/stats/funnel?from=2026-02-01&to=2026-03-04`);

      expect(response.statusCode).toBe(200);
      const body = response.json<FunnelBody>();
      expect(body.hours).toHaveLength(744);
      expect(body.totals).toEqual({ registered: 8, verified: 2, onboarded: 5, failed: 1 });
    });

    it.each([
      [
        'longer than 31 days',
        'from=2026-02-01&to=2026-03-04T00:00:00.001Z',
        'to',
        'funnelRange',
        /over 31 days/,
      ],
      ['empty', `from=${at('10:00:00')}&to=${at('10:00:00')}`, 'to', 'funnelRange', /from must be before to/],
      [
        'reversed',
        `from=${at('11:00:00')}&to=${at('10:00:00')}`,
        'to',
        'funnelRange',
        /from must be before to/,
      ],
      [
        'from alone, 40 days ago',
        `from=${new Date(Date.now() - 40 * 86_400_000).toISOString()}`,
        'from',
        'funnelRange',
        /over 31 days/,
      ],
      ['from a week date', 'from=2026-W09-1', 'from', 'isInstant', /date-time with an offset/],
      ['to without an offset', `to=2026-03-01T10:00:00`, 'to', 'isInstant', /date-time with an offset/],
      ['to an impossible date', `to=2026-02-30`, 'to', 'isInstant', /date-time with an offset/],
    ])(
      'when the range is %s, then 400 VALIDATION_FAILED names the rule once',
      async (_case, query, field, code, message) => {
        const response = await get(`/stats/funnel?${query}`);

        expect(response.statusCode).toBe(400);
        const body = response.json<{
          code: string;
          errors: { field: string; code: string; message: string }[];
        }>();
        expect(body.code).toBe('VALIDATION_FAILED');
        expect(body.errors).toEqual([{ field, code, message: expect.stringMatching(message) }]);
      },
    );

    it('when the admin token is missing, then 401 and nothing is counted', async () => {
      const response = await get('/stats/funnel', {});
      expect(response.statusCode).toBe(401);
      expect(response.json<{ code: string }>().code).toBe('UNAUTHORIZED');
    });
  });

  describe('dead letters grouped', () => {
    const letter = (
      errorCode: string,
      queue: string | null,
      routingKey: string,
      deadLetteredAt: string,
      {
        status = 'pending',
        json = true,
        messageId = randomUUID(),
        message = `${errorCode} at ${deadLetteredAt}`,
      }: { status?: string; json?: boolean; messageId?: string; message?: string } = {},
    ) =>
      env.query(
        `INSERT INTO dead_letters (message_id, type, exchange, routing_key, body, payload, error_code, error_message,
           attempts, first_failed_at, last_failed_at, dead_lettered_by, status, queue, dead_lettered_at)
         VALUES ($1, $2, 'x.events', $2, $3, $4, $5, $6, 2, $7, $7, 'worker', $8, $9, $7)`,
        [
          messageId,
          routingKey,
          Buffer.from(json ? '{"userId":"x"}' : 'not json'),
          json ? '{"userId":"x"}' : null,
          errorCode,
          message,
          deadLetteredAt,
          status,
          queue,
        ],
      );

    beforeAll(async () => {
      const mailQueue = 'x.step.send-verification-email';
      const provisionQueue = 'x.step.provision-account';
      await letter('HANDLER_FAILED', mailQueue, MAIL, at('10:00:00'));
      await letter('HANDLER_FAILED', mailQueue, MAIL, at('10:05:00'), { json: false });
      await letter('HANDLER_FAILED', mailQueue, MAIL, at('10:10:00'), {
        messageId: 'latest-mail',
        message: 'connect ECONNREFUSED 10.0.0.7:587',
      });
      await letter('HANDLER_FAILED', provisionQueue, 'user.registered', at('09:00:00'));
      await letter('USER_NOT_FOUND', provisionQueue, 'user.registered', at('09:30:00'));
      await letter('EXPIRED', null, 'user.registered', at('11:00:00'));
      await letter('HANDLER_FAILED', provisionQueue, 'user.registered', at('08:00:00'), {
        status: 'replayed',
      });
      await letter('HANDLER_FAILED', 'x.some-other-queue', 'user.registered', at('08:00:00'), {
        status: 'replayed',
      });
    });

    it('when pending dead letters are grouped, then each error code and step is one group, biggest first', async () => {
      const response = await get('/dead-letters/groups');

      expect(response.statusCode).toBe(200);
      expect(response.json<GroupsBody>()).toEqual({
        status: 'pending',
        truncated: false,
        groups: [
          {
            errorCode: 'HANDLER_FAILED',
            step: MAIL,
            queue: 'x.step.send-verification-email',
            routingKey: MAIL,
            count: 3,
            replayable: 2,
            firstDeadLetteredAt: '2026-03-01T10:00:00.000Z',
            lastDeadLetteredAt: '2026-03-01T10:10:00.000Z',
            lastMessageId: 'latest-mail',
            lastErrorMessage: 'connect ECONNREFUSED 10.0.0.7:587',
          },
          expect.objectContaining({ errorCode: 'EXPIRED', step: null, queue: null, count: 1 }),
          expect.objectContaining({ errorCode: 'HANDLER_FAILED', step: PROVISION, count: 1, replayable: 1 }),
          expect.objectContaining({ errorCode: 'USER_NOT_FOUND', step: PROVISION, count: 1 }),
        ],
      });
    });

    it('when a status and a range are given, then only those dead letters are grouped', async () => {
      const replayed = await get('/dead-letters/groups?status=replayed');
      expect(replayed.json<GroupsBody>().groups).toEqual([
        expect.objectContaining({ errorCode: 'HANDLER_FAILED', step: null, queue: 'x.some-other-queue' }),
        expect.objectContaining({ errorCode: 'HANDLER_FAILED', step: PROVISION, count: 1 }),
      ]);

      const ranged = await get(`/dead-letters/groups?from=${at('10:05:00')}&to=${at('11:00:00')}`);
      expect(ranged.json<GroupsBody>().groups).toEqual([
        expect.objectContaining({ errorCode: 'HANDLER_FAILED', step: MAIL, count: 2, replayable: 1 }),
      ]);
    });

    it('when there are more than 100 groups, then the 100 biggest are answered and it says so', async () => {
      await env.query(
        `INSERT INTO dead_letters (message_id, type, exchange, routing_key, body, error_code, error_message, attempts,
           first_failed_at, last_failed_at, dead_lettered_by, status)
         SELECT 'many-' || n, 'user.registered', 'x', 'user.registered', '\\x00', 'CODE_' || n, 'boom', 1, now(),
                now(), 'broker', 'discarded'
         FROM generate_series(1, 101) AS n`,
      );

      const response = await get('/dead-letters/groups?status=discarded');

      expect(response.statusCode).toBe(200);
      const body = response.json<GroupsBody>();
      expect(body.groups).toHaveLength(100);
      expect(body.truncated).toBe(true);
    });

    it.each([
      ['an unknown status', 'status=lost', 'status', 'isIn'],
      ['a bound that is not an instant', 'from=yesterday', 'from', 'isInstant'],
    ])('when it is asked with %s, then 400 VALIDATION_FAILED', async (_case, query, field, code) => {
      const response = await get(`/dead-letters/groups?${query}`);

      expect(response.statusCode).toBe(400);
      expect(response.json<{ errors: { field: string; code: string }[] }>().errors).toEqual([
        expect.objectContaining({ field, code }),
      ]);
    });

    it('when a dead letter is asked for by id, then the groups route does not stand in its way', async () => {
      await letter('HANDLER_FAILED', null, 'user.registered', at('07:00:00'), {
        messageId: 'groups-neighbour',
      });
      const response = await get('/dead-letters/groups-neighbour');
      expect(response.statusCode).toBe(200);
      expect(response.json<{ messageId: string }>().messageId).toBe('groups-neighbour');
    });
  });
});
