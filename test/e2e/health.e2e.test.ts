import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startApi, startWorker } from '../support/apps';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';

interface ReadinessProblem {
  status: number;
  code: string;
  detail: string;
  checks: Record<string, { status: string }>;
}

/**
 * Both apps reach PostgreSQL and RabbitMQ through TCP proxies that the test cuts and restores, so each
 * dependency can be "down" for these apps only.
 */
describe('health probes', () => {
  let env: TestEnvironment;
  let database: TcpProxy;
  let rabbitmq: TcpProxy;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;

  beforeAll(async () => {
    env = await createTestEnvironment();
    database = await TcpProxy.start(env.databaseUrl);
    rabbitmq = await TcpProxy.start(env.rabbitmqUrl);
    await database.cut();
    await rabbitmq.cut();
    const config = env.config({
      DATABASE_URL: database.rewrite(env.databaseUrl),
      RABBITMQ_URL: rabbitmq.rewrite(env.rabbitmqUrl),
    });
    api = await startApi(config, { waitForDatabase: false });
    worker = await startWorker(config, { waitForConsumer: false });
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await database?.stop();
    await rabbitmq?.stop();
    await env?.cleanup();
  });

  const probe = async (app: NestFastifyApplication, path: string) => {
    const response = await app.inject({ method: 'GET', url: path });
    return {
      statusCode: response.statusCode,
      contentType: response.headers['content-type'],
      body: response.json(),
    };
  };
  const apps = () =>
    [
      ['api', api],
      ['worker', worker],
    ] as const;
  const readyCode = async (app: NestFastifyApplication) => (await probe(app, '/health/ready')).statusCode;

  it('when PostgreSQL and RabbitMQ are down at boot, then both apps are live and not ready, naming both', async () => {
    for (const [, app] of apps()) {
      expect((await probe(app, '/health/live')).statusCode).toBe(200);

      const ready = await probe(app, '/health/ready');

      expect(ready.statusCode).toBe(503);
      expect(ready.contentType).toContain('application/problem+json');
      const problem = ready.body as ReadinessProblem;
      expect(problem.code).toBe('NOT_READY');
      expect(problem.detail).toContain('postgresql');
      expect(problem.detail).toContain('rabbitmq');
      expect(problem.checks.postgresql.status).toBe('down');
      expect(problem.checks.rabbitmq.status).toBe('down');
    }
  });

  const waitUntilBothReady = async () => {
    for (const [name, app] of apps()) {
      await eventually(async () => (await readyCode(app)) === 200, {
        timeoutMs: 40_000,
        what: `${name} ready`,
      });
    }
  };

  it('when both come up, then both apps connect by themselves and become ready', async () => {
    await database.restore();
    await rabbitmq.restore();

    await waitUntilBothReady();
  });

  it.each([
    ['PostgreSQL', 'postgresql', 'rabbitmq', () => database],
    ['RabbitMQ', 'rabbitmq', 'postgresql', () => rabbitmq],
  ] as const)(
    'when %s goes away, then readiness is 503 naming %s only, and recovers when it is back',
    async (_, down, up, link) => {
      await link().cut();

      for (const [name, app] of apps()) {
        const problem = await eventually(
          async () => {
            const ready = await probe(app, '/health/ready');
            return ready.statusCode === 503 ? (ready.body as ReadinessProblem) : undefined;
          },
          { what: `${name} not ready` },
        );
        expect(problem.checks[down].status).toBe('down');
        expect(problem.checks[up].status).toBe('up');
        expect((await probe(app, '/health/live')).statusCode).toBe(200);
      }

      await link().restore();
      await waitUntilBothReady();
    },
  );
});
