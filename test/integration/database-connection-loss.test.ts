import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { startApi } from '../support/apps';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';

/**
 * A connection of the app's pool whose server side dies while nobody holds a query on it: node-postgres emits
 * `error` on it, and with no listener that would throw out of the socket's handler and end the process (here:
 * fail the suite with "Unhandled error").
 */
describe('database connection lost between queries', () => {
  let env: TestEnvironment;
  let api: NestFastifyApplication;
  let client: PoolClient | undefined;

  beforeAll(async () => {
    env = await createTestEnvironment();
    api = await startApi(env.config());
  });

  afterAll(async () => {
    await api?.close();
    await env?.cleanup();
  });

  it('when a checked-out connection nobody listens to is terminated by the server, then the error is handled and the pool goes on', async () => {
    const dataSource = api.get(DataSource);
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    // Checked out, the pool's own listener is off, and no query runner has put its one on.
    client = await pool.connect();
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    // Not events.once: it would reject on the very `error` this is about.
    const ended = new Promise((resolve) => client!.once('end', resolve));

    await env.query('SELECT pg_terminate_backend($1)', [pid]);
    await ended;
    client.release(true);

    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
