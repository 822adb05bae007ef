import {
  PreparedStatement,
  queryPrepared,
  sendStatementsUnnamed,
  uniqueViolationConstraint,
} from '@app/database';
import { DataSource, QueryFailedError } from 'typeorm';
import { startApi } from '../support/apps';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';

/** queryPrepared against the real PostgreSQL, through TypeORM as the repositories use it. */
describe('prepared statements', () => {
  let env: TestEnvironment;
  let dataSource: DataSource;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataSource = await new DataSource({
      type: 'postgres',
      url: env.databaseUrl,
      extra: { max: 2 },
    }).initialize();
    await dataSource.query('CREATE TABLE prepared_probe (id int PRIMARY KEY, label text NOT NULL)');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await env?.cleanup();
  });

  const insert = PreparedStatement.define(
    'test.prepared-probe.insert',
    'INSERT INTO prepared_probe (id, label) VALUES ($1, $2) RETURNING id, label',
  );
  const relabel = PreparedStatement.define(
    'test.prepared-probe.relabel',
    'UPDATE prepared_probe SET label = $2 WHERE id = $1 RETURNING id',
  );

  it('when a statement runs inside a transaction, then it is prepared on that connection under its name and its rows come back', async () => {
    const prepared = await dataSource.transaction(async (manager) => {
      const rows = await queryPrepared<{ id: number; label: string }[]>(manager, insert, [1, 'one']);
      expect(rows).toEqual([{ id: 1, label: 'one' }]);
      return manager.query<{ name: string; statement: string }[]>(
        'SELECT name, statement FROM pg_prepared_statements WHERE name = $1',
        [insert.name],
      );
    });

    expect(prepared).toEqual([{ name: insert.name, statement: insert.text }]);
  });

  it('when an UPDATE runs, then the answer is TypeORM’s [rows, affected count]', async () => {
    await queryPrepared(dataSource, insert, [2, 'two']);

    const answer = await queryPrepared(dataSource.manager, relabel, [2, 'deux']);

    expect(answer).toEqual([[{ id: 2 }], 1]);
  });

  it('when the transaction fails, then nothing of it is kept and the error is TypeORM’s QueryFailedError', async () => {
    const failing = dataSource.transaction(async (manager) => {
      await queryPrepared(manager, insert, [3, 'three']);
      await queryPrepared(manager, insert, [1, 'one again']);
    });

    const error: unknown = await failing.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(uniqueViolationConstraint(error)).toBe('prepared_probe_pkey');
    expect(await dataSource.query('SELECT id FROM prepared_probe WHERE id = 3')).toEqual([]);
  });

  it('when a name is defined again with other SQL, then the definition is refused', () => {
    expect(() => PreparedStatement.define(insert.name, 'SELECT 1')).toThrow(/defined twice/);
    expect(PreparedStatement.define(insert.name, insert.text).text).toBe(insert.text);
  });

  it('when prepared statements are switched off (DATABASE_PREPARED_STATEMENTS=false), then the same statement runs unnamed', async () => {
    const unnamed = await new DataSource({
      type: 'postgres',
      url: env.databaseUrl,
      extra: { max: 1 },
    }).initialize();
    try {
      sendStatementsUnnamed(unnamed);

      const rows = await unnamed.transaction(async (manager) => {
        const inserted = await queryPrepared(manager, insert, [4, 'four']);
        const prepared = await manager.query('SELECT name FROM pg_prepared_statements');
        return { inserted, prepared };
      });

      expect(rows).toEqual({ inserted: [{ id: 4, label: 'four' }], prepared: [] });
    } finally {
      await unnamed.destroy();
    }
  });

  it('when an app is configured with DATABASE_PREPARED_STATEMENTS=false, then its data source sends them unnamed', async () => {
    const api = await startApi(env.config({ DATABASE_PREPARED_STATEMENTS: 'false' }));
    try {
      const prepared = await api.get(DataSource).transaction(async (manager) => {
        await queryPrepared(manager, insert, [5, 'five']);
        return manager.query<{ name: string }[]>('SELECT name FROM pg_prepared_statements');
      });

      expect(prepared).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
