import { isDatabaseConnectionError } from '@app/database';
import { DomainError } from '@app/errors';
import { HttpException, HttpStatus } from '@nestjs/common';
import type { FieldErrorDto } from './problem-details.dto';
import { RequestValidationError } from './request-validation.error';

export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: FieldErrorDto[];
  /** Extension members (RFC 9457 section 3.2). */
  extensions?: Record<string, unknown>;
}

interface HealthCheckFailure {
  status: 'error';
  error: Record<string, unknown>;
  details: Record<string, unknown>;
}

const isHealthCheckFailure = (body: unknown): body is HealthCheckFailure =>
  typeof body === 'object' &&
  body !== null &&
  (body as { status?: unknown }).status === 'error' &&
  'details' in body;

/**
 * HTTP status and title of each domain error code (the title names the problem type and never varies; the
 * occurrence's specifics go into `detail`). A code not listed here is a bug and answers 500.
 */
const DOMAIN_PROBLEMS: Record<string, { status: number; title: string }> = {
  USER_EMAIL_TAKEN: { status: HttpStatus.CONFLICT, title: 'Email already registered' },
  USER_NOT_FOUND: { status: HttpStatus.NOT_FOUND, title: 'User not found' },
  INVALID_CURSOR: { status: HttpStatus.BAD_REQUEST, title: 'Invalid pagination cursor' },
  MALFORMED_JSON: { status: HttpStatus.BAD_REQUEST, title: 'Request body is not valid JSON' },
  DEAD_LETTER_NOT_FOUND: { status: HttpStatus.NOT_FOUND, title: 'Dead letter not found' },
  DEAD_LETTER_NOT_PENDING: { status: HttpStatus.CONFLICT, title: 'Dead letter is not pending' },
  DEAD_LETTER_NOT_REPLAYABLE: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    title: 'Dead letter cannot be replayed',
  },
  USER_ERASED: { status: HttpStatus.CONFLICT, title: 'User was erased' },
  PRECONDITION_REQUIRED: { status: HttpStatus.PRECONDITION_REQUIRED, title: 'If-Match required' },
  PRECONDITION_FAILED: { status: HttpStatus.PRECONDITION_FAILED, title: 'User changed since it was read' },
  VERIFICATION_TOKEN_INVALID: { status: HttpStatus.BAD_REQUEST, title: 'Verification token not valid' },
  VERIFICATION_TOKEN_USED: { status: HttpStatus.GONE, title: 'Verification token already used' },
  VERIFICATION_TOKEN_EXPIRED: { status: HttpStatus.GONE, title: 'Verification token expired' },
  VERIFICATION_TOKEN_SUPERSEDED: { status: HttpStatus.GONE, title: 'Verification token superseded' },
  STEP_NOT_FOUND: { status: HttpStatus.NOT_FOUND, title: 'Onboarding step not found' },
  STEP_NOT_FAILED: { status: HttpStatus.CONFLICT, title: 'Onboarding step has not failed' },
  DEPENDENCY_UNAVAILABLE: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    title: 'Service temporarily unavailable',
  },
};

const HTTP_CODES: Partial<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

/**
 * The one place where an error becomes an HTTP problem. Returns undefined for an unexpected error, which the
 * filter logs and answers with a generic 500.
 */
export function toProblem(error: unknown): Problem | undefined {
  if (error instanceof RequestValidationError) {
    const count = error.fieldErrors.length;
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      title: 'Request validation failed',
      detail: `The request has ${count} invalid field${count === 1 ? '' : 's'}.`,
      errors: error.fieldErrors,
    };
  }
  if (error instanceof DomainError) {
    const problem = DOMAIN_PROBLEMS[error.code];
    return problem ? { ...problem, code: error.code, detail: error.message } : undefined;
  }
  if (isDatabaseConnectionError(error)) {
    return {
      status: 503,
      code: 'DEPENDENCY_UNAVAILABLE',
      title: 'Service temporarily unavailable',
      detail: 'the database could not be reached; retry later',
    };
  }
  if (error instanceof HttpException && isHealthCheckFailure(error.getResponse())) {
    const result = error.getResponse() as HealthCheckFailure;
    return {
      status: error.getStatus(),
      code: 'NOT_READY',
      title: 'Not ready',
      detail: `down: ${Object.keys(result.error).join(', ')}`,
      extensions: { checks: result.details },
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, code: HTTP_CODES[status] ?? `HTTP_${status}`, title: error.message };
  }
  return undefined;
}
