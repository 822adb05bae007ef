import { Logger } from '@nestjs/common';
import { Client, type ClientConfig } from 'pg';

const logger = new Logger('PostgreSQL');

/**
 * The connection class of the app's pool: a node-postgres client that always has an `error` listener.
 * node-postgres emits `error` on a client whose server connection dies while no query runs on it (a server
 * restart, `pg_terminate_backend`, a network cut), and an `error` event nobody listens to throws, which kills the
 * process. The pool listens only while a client is idle in it, TypeORM only while a query runner holds it: a
 * client between the two has nobody (seen in the fault test that kills every connection mid-load).
 * This listener only logs. The client is unusable afterwards, so the pool drops it when it comes back, and
 * whoever holds it gets the error from its next query.
 */
export class GuardedPgClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', (error: Error) => logger.debug(`connection lost: ${error.message}`));
  }
}
