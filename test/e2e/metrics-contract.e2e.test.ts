import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DEFAULT_PROCESS_METRICS, METRICS } from '../deploy/support/observability-contract';
import { startApi, startWorker } from '../support/apps';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';

/**
 * The other half of the observability contract: test/deploy checks that the alert rules, the dashboard and the
 * autoscaler name only metrics of the contract; this checks that the apps really expose each of them, with its
 * type, on the app the contract says. A metric renamed in the code fails here, not silently in production.
 */
describe('metrics contract', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;

  beforeAll(async () => {
    env = await createTestEnvironment();
    worker = await startWorker(env.config());
    api = await startApi(env.config());
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await env?.cleanup();
  });

  const declaredTypes = async (app: NestFastifyApplication) => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1], match[2]]));
  };

  it('when both apps are scraped, then each exposes every metric the contract gives it, with its type', async () => {
    const exposed = { api: await declaredTypes(api), worker: await declaredTypes(worker) };

    const mismatches = METRICS.filter((metric) => exposed[metric.app].get(metric.name) !== metric.type).map(
      (metric) => ({ ...metric, exposed: exposed[metric.app].get(metric.name) ?? 'missing' }),
    );
    expect(mismatches).toEqual([]);
  });

  it('when both apps are scraped, then each exposes the process metrics the rules use', async () => {
    for (const app of [api, worker]) {
      const types = await declaredTypes(app);
      const exposedNames = new Set([...types.keys()]);
      // Histogram and summary parts are declared under their base name.
      expect(DEFAULT_PROCESS_METRICS.filter((name) => !exposedNames.has(name))).toEqual([]);
    }
  });
});
