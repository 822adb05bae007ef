import { DataSource, type EntityManager } from 'typeorm';

/**
 * A statement PostgreSQL parses and plans once per connection, not at every call: node-postgres sends it under
 * its name and, once a connection has it, only binds and executes. For the short statements of the signup
 * pipeline that halves PostgreSQL's CPU per statement (bench/README.md). Only for SQL fixed at load time: a text
 * built per call would prepare one statement per variant on every connection.
 */
export class PreparedStatement {
  private static readonly defined = new Map<string, string>();

  private constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  /** @throws Error when `name` is taken by another text (node-postgres would refuse it at run time, per connection) */
  static define(name: string, text: string): PreparedStatement {
    const taken = PreparedStatement.defined.get(name);
    if (taken !== undefined && taken !== text) {
      throw new Error(`prepared statement "${name}" is defined twice, with different SQL`);
    }
    PreparedStatement.defined.set(name, text);
    return new PreparedStatement(name, text);
  }
}

const unnamedOn = new WeakSet<DataSource>();

/**
 * From now on, queryPrepared sends its statements on `dataSource` unnamed, as plain queries
 * (DATABASE_PREPARED_STATEMENTS=false: a transaction-mode pooler that does not track named statements).
 */
export function sendStatementsUnnamed(dataSource: DataSource): void {
  unnamedOn.add(dataSource);
}

/**
 * `on.query(statement, parameters)` as a prepared statement: inside the manager's transaction if it has one,
 * with TypeORM's result shapes (rows; `[rows, affected count]` for an UPDATE or DELETE) and its QueryFailedError.
 */
export function queryPrepared<Result = unknown>(
  on: EntityManager | DataSource,
  statement: PreparedStatement,
  parameters: readonly unknown[],
): Promise<Result> {
  // TypeORM passes its query to node-postgres untouched, and node-postgres takes a query config in place of a
  // text. test/integration/prepared-statements.test.ts checks that the statement really is prepared.
  const dataSource = on instanceof DataSource ? on : on.connection;
  if (unnamedOn.has(dataSource)) return on.query<Result>(statement.text, [...parameters]);
  const config = { name: statement.name, text: statement.text } as unknown as string;
  return on.query<Result>(config, [...parameters]);
}
