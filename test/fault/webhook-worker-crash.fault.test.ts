import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { LogCapture, startApi } from '../support/apps';
import {
  createTestEnvironment,
  eventually,
  TEST_ADMIN_TOKEN,
  TestEnvironment,
} from '../support/test-environment';
import type { ProcessExit } from '../support/worker-process';
import { WebhookReceiver } from '../support/webhook-receiver';
import { compactOutputLine, FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { teardown } from './support/teardown';
import { WorkerProcesses } from './support/worker-processes';

const USERS = 24;
const SETTINGS = {
  ...FAULT_SETTINGS,
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_TIMEOUT_MS: '3000',
};

/**
 * The worker a real child process, killed with SIGKILL twice while it delivers webhooks to a receiver that
 * answers slowly (so that kills land between the HTTP call and its record), then started again. Every delivery
 * must arrive at least once, and a repeat must carry the same `webhook-id`, so that the receiver can drop it.
 */
describe('fault: worker killed during webhook deliveries', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let receiver: WebhookReceiver;
  const apiLogs = new LogCapture();
  const workers = new WorkerProcesses(() => env.variables(SETTINGS));

  beforeAll(async () => {
    env = await createTestEnvironment();
    receiver = await WebhookReceiver.start();
    receiver.script('/a', [], { status: 200, delayMs: 150 });
    receiver.script('/b', [], { status: 204, delayMs: 150 });
    await workers.start();
    api = await startApi(env.config(SETTINGS), { logs: apiLogs });
  }, 60_000);

  afterAll(async () => {
    await teardown(
      () => api?.close(),
      ...workers.stopSteps(),
      () => receiver?.stop(),
      () => env?.cleanup(),
    );
  });

  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  it('when the worker is killed twice mid-delivery and restarted, then every delivery arrives at least once, repeats with the same webhook-id', async () => {
    const endpoints: { id: string; secret: string; path: string }[] = [];
    for (const path of ['/a', '/b']) {
      const response = await api.inject({
        method: 'POST',
        url: '/webhooks',
        headers: admin,
        payload: { url: receiver.url(path), events: ['user.registered'] },
      });
      expect(response.statusCode).toBe(201);
      endpoints.push({ ...response.json<{ id: string; secret: string }>(), path });
    }

    const userIds: string[] = [];
    const registering = (async () => {
      for (let index = 0; index < USERS; index++) {
        const response = await api.inject({
          method: 'POST',
          url: '/users',
          payload: {
            email: `crash.${randomUUID()}@example.com`,
            password: 'correct horse battery staple',
            firstName: 'Ada',
            lastName: 'Lovelace',
          },
        });
        expect(response.statusCode).toBe(201);
        userIds.push(response.json<{ id: string }>().id);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const exits: (ProcessExit | 'timeout')[] = [];
    for (const received of [8, 24]) {
      await eventually(async () => receiver.received.length >= received, {
        timeoutMs: 60_000,
        what: `${received} webhooks received before the kill`,
      });
      exits.push(await workers.current.kill('SIGKILL', 10_000));
      await workers.start();
    }
    await registering;

    const expected = USERS * endpoints.length;
    const diagnostics = () =>
      [warningsOf('api', apiLogs), ...workers.all.map((worker) => worker.output(80, compactOutputLine))].join(
        '\n',
      );
    await eventually(
      async () => {
        const [row] = await env.query<{ delivered: number }>(
          `SELECT count(*)::int AS delivered FROM webhook_deliveries WHERE status = 'delivered'`,
        );
        return row.delivered === expected;
      },
      { timeoutMs: 90_000, what: `${expected} deliveries delivered` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${diagnostics()}`);
    });

    expect(exits).toEqual([
      { code: null, signal: 'SIGKILL' },
      { code: null, signal: 'SIGKILL' },
    ]);
    const deliveries = await env.query<{ id: string; endpoint_id: string; user_id: string }>(
      `SELECT id, endpoint_id, user_id FROM webhook_deliveries`,
    );
    // One delivery per endpoint and user, none lost, none made twice.
    expect(deliveries).toHaveLength(expected);
    let repeats = 0;
    for (const endpoint of endpoints) {
      for (const userId of userIds) {
        const delivery = deliveries.find((row) => row.endpoint_id === endpoint.id && row.user_id === userId);
        const requests = receiver
          .at(endpoint.path)
          .filter((request) => WebhookReceiver.payload(request).data.id === userId);
        expect({ userId, endpoint: endpoint.path, arrived: requests.length > 0 }).toEqual({
          userId,
          endpoint: endpoint.path,
          arrived: true,
        });
        expect(new Set(requests.map((request) => request.headers['webhook-id']))).toEqual(
          new Set([delivery?.id]),
        );
        expect(requests.every((request) => WebhookReceiver.verifies(request, endpoint.secret))).toBe(true);
        repeats += requests.length - 1;
      }
    }
    process.stdout.write(`webhook fault test: ${repeats} repeated deliveries, each with its webhook-id\n`);
  }, 240_000);
});
