import { Client } from 'pg';

/**
 * Holds `LOCK TABLE … IN EXCLUSIVE MODE` in an open transaction: reads go on, but every transaction that
 * writes to the table waits. A test uses it to keep work in flight (a worker's handlers, the API's requests)
 * for as long as it likes, e.g. across a SIGTERM, and releases it to let that work finish.
 */
export class TableLock {
  private released = false;

  private constructor(
    private readonly client: Client,
    private readonly table: string,
  ) {}

  static async acquire(databaseUrl: string, table: string): Promise<TableLock> {
    const client = new Client({ connectionString: databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
    return new TableLock(client, table);
  }

  /**
   * How many sessions wait for a lock on the table right now (the work held up); only those running a
   * statement that matches `statement` (an ILIKE pattern) when given.
   */
  async waiting(statement = '%'): Promise<number> {
    // Inside a transaction, pg_stat_activity is a snapshot taken at first use: drop it to see the present.
    await this.client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await this.client.query<{ count: number }>(
      `SELECT count(DISTINCT l.pid)::int AS count
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.relation = $1::regclass AND NOT l.granted AND a.query ILIKE $2`,
      [this.table, statement],
    );
    return rows[0].count;
  }

  /** Rolls back (releasing the lock) and disconnects; safe to call more than once. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.client.query('ROLLBACK').catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}
