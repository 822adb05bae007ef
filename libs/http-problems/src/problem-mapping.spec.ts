import {
  DeadLetterNotFoundError,
  DeadLetterNotPendingError,
  DeadLetterNotReplayableError,
  InvalidDeadLetterCursorError,
} from '@app/dead-letters';
import { DependencyUnavailableError, DomainError } from '@app/errors';
import {
  InvalidCursorError,
  PasswordHashingOverloadedError,
  PreconditionFailedError,
  PreconditionRequiredError,
  UserEmailTakenError,
  UserErasedError,
  UserNotFoundError,
} from '@app/users';
import {
  VerificationTokenExpiredError,
  VerificationTokenInvalidError,
  VerificationTokenSupersededError,
  VerificationTokenUsedError,
} from '@app/verification';
import {
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { MalformedJsonError } from './json-body.parser';
import { toProblem } from './problem-mapping';
import { RequestValidationError } from './request-validation.error';

class UnmappedError extends DomainError {
  readonly code = 'NOT_IN_THE_MAP';
  readonly kind = 'permanent';
}

describe('toProblem', () => {
  it('when the request failed validation, then it is a 400 VALIDATION_FAILED listing each field error', () => {
    const fieldErrors = [
      { field: 'email', code: 'isEmail', message: 'email must be an email' },
      { field: 'name', code: 'isNotEmpty', message: 'name should not be empty' },
    ];

    const problem = toProblem(new RequestValidationError(fieldErrors));

    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: fieldErrors });
    expect(problem?.detail).toBe('The request has 2 invalid fields.');
  });

  it.each([
    [new UserEmailTakenError(), 409, 'USER_EMAIL_TAKEN', 'Email already registered'],
    [new UserNotFoundError('7d9f1c52-8c7e-4c43-9a43-3f3b3c1f1a01'), 404, 'USER_NOT_FOUND', 'User not found'],
    [new InvalidCursorError(), 400, 'INVALID_CURSOR', 'Invalid pagination cursor'],
    [
      new MalformedJsonError('unexpected end of input'),
      400,
      'MALFORMED_JSON',
      'Request body is not valid JSON',
    ],
    [new DeadLetterNotFoundError('m-1'), 404, 'DEAD_LETTER_NOT_FOUND', 'Dead letter not found'],
    [
      new DeadLetterNotPendingError('m-1', 'replayed'),
      409,
      'DEAD_LETTER_NOT_PENDING',
      'Dead letter is not pending',
    ],
    [
      new DeadLetterNotReplayableError('m-1', 'its body is not JSON'),
      422,
      'DEAD_LETTER_NOT_REPLAYABLE',
      'Dead letter cannot be replayed',
    ],
    [new InvalidDeadLetterCursorError(), 400, 'INVALID_CURSOR', 'Invalid pagination cursor'],
    [new UserErasedError('7d9f1c52-8c7e-4c43-9a43-3f3b3c1f1a01'), 409, 'USER_ERASED', 'User was erased'],
    [new PreconditionRequiredError(), 428, 'PRECONDITION_REQUIRED', 'If-Match required'],
    [new PreconditionFailedError(3), 412, 'PRECONDITION_FAILED', 'User changed since it was read'],
    [new VerificationTokenInvalidError(), 400, 'VERIFICATION_TOKEN_INVALID', 'Verification token not valid'],
    [new VerificationTokenUsedError(), 410, 'VERIFICATION_TOKEN_USED', 'Verification token already used'],
    [new VerificationTokenExpiredError(), 410, 'VERIFICATION_TOKEN_EXPIRED', 'Verification token expired'],
    [
      new VerificationTokenSupersededError(),
      410,
      'VERIFICATION_TOKEN_SUPERSEDED',
      'Verification token superseded',
    ],
    [
      new DependencyUnavailableError('PostgreSQL'),
      503,
      'DEPENDENCY_UNAVAILABLE',
      'Service temporarily unavailable',
    ],
  ])(
    'when the error is %p, then it is a %p with code %p, a fixed title and the specifics as detail',
    (error, status, code, title) => {
      const problem = toProblem(error);

      expect(problem).toEqual({ status, code, title, detail: error.message });
    },
  );

  it('when a domain error has a code missing from the map, then there is no problem (a 500 follows)', () => {
    const problem = toProblem(new UnmappedError('something the API does not know'));

    expect(problem).toBeUndefined();
  });

  it.each([
    [new UnauthorizedException(), 401, 'UNAUTHORIZED', 'Authentication required'],
    [new NotFoundException('Cannot GET /nowhere'), 404, 'ROUTE_NOT_FOUND', 'Route not found'],
    [new PayloadTooLargeException(), 413, 'PAYLOAD_TOO_LARGE', 'Request body too large'],
    [new UnsupportedMediaTypeException(), 415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  ])(
    'when Nest raised %p, then it is a %p with code %p, the catalogue title and the message as detail',
    (error, status, code, title) => {
      const problem = toProblem(error);

      expect(problem).toEqual({ status, code, title, detail: error.message });
    },
  );

  it('when Nest raised a status the catalogue does not know, then the code is HTTP_<status>', () => {
    expect(toProblem(new HttpException('teapot', 418))).toEqual({
      status: 418,
      code: 'HTTP_418',
      title: 'teapot',
    });
  });

  it.each([
    ['FST_ERR_BAD_URL', 400, 'MALFORMED_URL'],
    ['FST_ERR_MAX_PARAM_LENGTH', 414, 'URI_TOO_LONG'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'BAD_REQUEST'],
  ])('when Fastify raised %p, then it is a %p with code %p', (fastifyCode, status, code) => {
    const error = Object.assign(new Error('from fastify'), { code: fastifyCode });

    expect(toProblem(error)).toMatchObject({ status, code, detail: 'from fastify' });
  });

  it('when an error brings its own headers, then the problem carries them', () => {
    const error = new PasswordHashingOverloadedError(32);

    expect(toProblem(error)).toMatchObject({
      status: 503,
      code: 'SERVICE_OVERLOADED',
      headers: { 'Retry-After': '1' },
    });
  });

  it('when a readiness check failed, then it is a 503 NOT_READY naming the failed check and listing all checks', () => {
    const details = { postgresql: { status: 'down' }, rabbitmq: { status: 'up' } };
    const error = new ServiceUnavailableException({
      status: 'error',
      info: { rabbitmq: { status: 'up' } },
      error: { postgresql: { status: 'down' } },
      details,
    });

    const problem = toProblem(error);

    expect(problem).toMatchObject({ status: 503, code: 'NOT_READY', extensions: { checks: details } });
    expect(problem?.detail).toContain('postgresql');
    expect(problem?.detail).not.toContain('rabbitmq');
  });

  it.each([
    ['a pg connection error', { code: 'ECONNREFUSED' }],
    [
      'a query failed because the server shut down',
      new QueryFailedError('select 1', [], Object.assign(new Error('terminating'), { code: '57P01' })),
    ],
  ])('when the error is %s, then it is a 503 DEPENDENCY_UNAVAILABLE', (_case, error) => {
    const problem = toProblem(error);

    expect(problem).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });
  });

  it('when the error is a plain Error, then there is no problem (a 500 follows)', () => {
    const problem = toProblem(new Error('boom'));

    expect(problem).toBeUndefined();
  });
});
