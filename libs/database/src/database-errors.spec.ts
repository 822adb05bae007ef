import { QueryFailedError } from 'typeorm';
import { isDatabaseConnectionError, uniqueViolationConstraint } from './database-errors';

const pgError = (message: string, fields: { code?: string; constraint?: string }) =>
  Object.assign(new Error(message), fields);

const queryFailed = (driverError: Error) => new QueryFailedError('insert into users ...', [], driverError);

describe('uniqueViolationConstraint', () => {
  it('when a query broke a unique constraint, then the constraint is named', () => {
    const error = queryFailed(pgError('dup', { code: '23505', constraint: 'users_email_lower_key' }));

    expect(uniqueViolationConstraint(error)).toBe('users_email_lower_key');
  });

  it('when a query failed for another reason, then there is no constraint', () => {
    const error = queryFailed(pgError('not null', { code: '23502', constraint: 'users_email_not_null' }));

    expect(uniqueViolationConstraint(error)).toBeUndefined();
  });

  it('when the error is not a failed query, then there is no constraint', () => {
    const error = pgError('dup', { code: '23505', constraint: 'users_email_lower_key' });

    expect(uniqueViolationConstraint(error)).toBeUndefined();
  });
});

describe('isDatabaseConnectionError', () => {
  it.each([
    ['the connection was refused', pgError('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' })],
    ['the connection failed (SQLSTATE 08006)', pgError('connection failure', { code: '08006' })],
    ['an administrator shut the server down (57P01)', pgError('terminating connection', { code: '57P01' })],
    ['the connection ended', new Error('Connection terminated unexpectedly')],
    ['a failed query wraps a refused connection', queryFailed(pgError('refused', { code: 'ECONNREFUSED' }))],
    ['a failed query wraps a shutdown (57P01)', queryFailed(pgError('terminating', { code: '57P01' }))],
    ['only the driverError carries the code', { driverError: pgError('terminating', { code: '57P01' }) }],
    ['a plain object carries ECONNREFUSED', { code: 'ECONNREFUSED' }],
  ])('when %s, then it is a connection error', (_case, error) => {
    expect(isDatabaseConnectionError(error)).toBe(true);
  });

  it.each([
    ['a query broke a unique constraint', queryFailed(pgError('dup', { code: '23505' }))],
    ['a plain Error', new Error('boom')],
    ['undefined', undefined],
    ['a string', 'Connection terminated'],
  ])('when the error is %s, then it is not a connection error', (_case, error) => {
    expect(isDatabaseConnectionError(error)).toBe(false);
  });
});
