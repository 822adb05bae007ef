import { DependencyUnavailableError } from '@app/errors';
import { QueryFailedError } from 'typeorm';

/** SQLSTATE of a unique violation, with the name of the violated constraint, or undefined. */
export function uniqueViolationConstraint(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' ? driverError.constraint : undefined;
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);
// Class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now).
const CONNECTION_SQLSTATE = /^(08...|57P0[123])$/;

const RELEASED_QUERY_RUNNER = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

/** Whether an error means "the database could not be reached" (retry later) rather than a bad query. */
export function isDatabaseConnectionError(error: unknown): boolean {
  const candidates = [error, (error as { driverError?: unknown })?.driverError];
  return candidates.some((candidate) => {
    if (!candidate || typeof candidate !== 'object') return false;
    const { code, message, name } = candidate as { code?: unknown; message?: unknown; name?: unknown };
    // TypeORM's names for "the connection under this transaction is gone" (it was terminated mid-transaction).
    if (typeof name === 'string' && RELEASED_QUERY_RUNNER.has(name)) return true;
    if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || CONNECTION_SQLSTATE.test(code))) {
      return true;
    }
    return (
      typeof message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
        message,
      )
    );
  });
}

/**
 * "PostgreSQL" when the error means the database is out of reach (a connection error, or the service refusing
 * work because it is not connected), so that a consumer pauses rather than spending a message's attempts.
 */
export function databaseOutageOf(error: unknown): string | undefined {
  if (error instanceof DependencyUnavailableError && error.dependency === 'PostgreSQL') return 'PostgreSQL';
  return isDatabaseConnectionError(error) ? 'PostgreSQL' : undefined;
}
