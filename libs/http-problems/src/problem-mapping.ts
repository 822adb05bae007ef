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
  /** Response headers that belong to the problem (`Retry-After`, `Allow`, `RateLimit`…). */
  headers?: Record<string, string>;
}

/** An error that brings its own response headers (a rate limit's `Retry-After`, say). */
export interface ProblemHeaders {
  problemHeaders(): Record<string, string>;
}

const hasProblemHeaders = (error: unknown): error is ProblemHeaders =>
  typeof (error as Partial<ProblemHeaders> | null)?.problemHeaders === 'function';

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
 * Every code this API answers with, its HTTP status and title (the title names the problem type and never
 * varies; the occurrence's specifics go into `detail`). A domain error whose code is not listed is a bug and
 * answers 500. The OpenAPI examples are rendered from this table too, so documentation and answers agree.
 */
export const PROBLEM_CATALOGUE = {
  VALIDATION_FAILED: { status: HttpStatus.BAD_REQUEST, title: 'Request validation failed' },
  MALFORMED_JSON: { status: HttpStatus.BAD_REQUEST, title: 'Request body is not valid JSON' },
  MALFORMED_URL: { status: HttpStatus.BAD_REQUEST, title: 'Request URL is malformed' },
  BAD_REQUEST: { status: HttpStatus.BAD_REQUEST, title: 'Bad request' },
  INVALID_CURSOR: { status: HttpStatus.BAD_REQUEST, title: 'Invalid pagination cursor' },
  INVALID_IDEMPOTENCY_KEY: { status: HttpStatus.BAD_REQUEST, title: 'Invalid Idempotency-Key header' },
  UNAUTHORIZED: { status: HttpStatus.UNAUTHORIZED, title: 'Authentication required' },
  FORBIDDEN: { status: HttpStatus.FORBIDDEN, title: 'Forbidden' },
  USER_NOT_FOUND: { status: HttpStatus.NOT_FOUND, title: 'User not found' },
  DEAD_LETTER_NOT_FOUND: { status: HttpStatus.NOT_FOUND, title: 'Dead letter not found' },
  ROUTE_NOT_FOUND: { status: HttpStatus.NOT_FOUND, title: 'Route not found' },
  METHOD_NOT_ALLOWED: { status: HttpStatus.METHOD_NOT_ALLOWED, title: 'Method not allowed' },
  NOT_ACCEPTABLE: { status: HttpStatus.NOT_ACCEPTABLE, title: 'Not acceptable' },
  USER_EMAIL_TAKEN: { status: HttpStatus.CONFLICT, title: 'Email already registered' },
  DEAD_LETTER_NOT_PENDING: { status: HttpStatus.CONFLICT, title: 'Dead letter is not pending' },
  IDEMPOTENCY_KEY_IN_USE: {
    status: HttpStatus.CONFLICT,
    title: 'A request with this Idempotency-Key is in progress',
  },
  PAYLOAD_TOO_LARGE: { status: HttpStatus.PAYLOAD_TOO_LARGE, title: 'Request body too large' },
  URI_TOO_LONG: { status: HttpStatus.URI_TOO_LONG, title: 'Request URL too long' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    title: 'Unsupported media type',
  },
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
  WEBHOOK_URL_NOT_ALLOWED: { status: HttpStatus.BAD_REQUEST, title: 'Webhook URL not allowed' },
  WEBHOOK_ENDPOINT_NOT_FOUND: { status: HttpStatus.NOT_FOUND, title: 'Webhook endpoint not found' },
  WEBHOOK_DELIVERY_NOT_FOUND: { status: HttpStatus.NOT_FOUND, title: 'Webhook delivery not found' },
  WEBHOOK_DELIVERY_PENDING: { status: HttpStatus.CONFLICT, title: 'Webhook delivery is pending' },
  IDEMPOTENCY_KEY_REUSED: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    title: 'Idempotency-Key reused with another request',
  },
  RATE_LIMITED: { status: HttpStatus.TOO_MANY_REQUESTS, title: 'Too many requests' },
  REQUEST_HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request headers too large',
  },
  INTERNAL_ERROR: { status: HttpStatus.INTERNAL_SERVER_ERROR, title: 'Internal server error' },
  DEPENDENCY_UNAVAILABLE: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    title: 'Service temporarily unavailable',
  },
  SERVICE_OVERLOADED: { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Service overloaded' },
  SHUTTING_DOWN: { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Server shutting down' },
  NOT_READY: { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Not ready' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CATALOGUE;

const isProblemCode = (code: string): code is ProblemCode => Object.hasOwn(PROBLEM_CATALOGUE, code);

/** The catalogue's problem for a code, with the occurrence's detail and extras. */
export function problemFor(
  code: ProblemCode,
  extras: Omit<Problem, 'status' | 'code' | 'title'> = {},
): Problem {
  return { ...PROBLEM_CATALOGUE[code], code, ...extras };
}

/** Codes of HTTP errors raised by Nest or Fastify themselves, by status. */
const HTTP_CODES: Partial<Record<number, ProblemCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'REQUEST_HEADERS_TOO_LARGE',
};

/** Fastify's own errors (`FST_ERR_*`) that reach us, by their code; anything else goes by its status. */
const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_BAD_URL: 'MALFORMED_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
};

interface FastifyError {
  code: string;
  statusCode?: number;
  message: string;
}

const isFastifyError = (error: unknown): error is FastifyError => {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('FST_');
};

/**
 * The one place where an error becomes an HTTP problem. Returns undefined for an unexpected error, which the
 * filter logs and answers with a generic 500.
 */
export function toProblem(error: unknown): Problem | undefined {
  const problem = baseProblem(error);
  if (problem && hasProblemHeaders(error))
    problem.headers = { ...problem.headers, ...error.problemHeaders() };
  return problem;
}

function baseProblem(error: unknown): Problem | undefined {
  if (error instanceof RequestValidationError) {
    const count = error.fieldErrors.length;
    return problemFor('VALIDATION_FAILED', {
      detail: `The request has ${count} invalid field${count === 1 ? '' : 's'}.`,
      errors: error.fieldErrors,
    });
  }
  if (error instanceof DomainError) {
    return isProblemCode(error.code) ? problemFor(error.code, { detail: error.message }) : undefined;
  }
  if (isDatabaseConnectionError(error)) {
    return problemFor('DEPENDENCY_UNAVAILABLE', {
      detail: 'the database could not be reached; retry later',
    });
  }
  if (error instanceof HttpException && isHealthCheckFailure(error.getResponse())) {
    const result = error.getResponse() as HealthCheckFailure;
    return {
      status: error.getStatus(),
      code: 'NOT_READY',
      title: PROBLEM_CATALOGUE.NOT_READY.title,
      detail: `down: ${Object.keys(result.error).join(', ')}`,
      extensions: { checks: result.details },
    };
  }
  if (isFastifyError(error)) {
    const code = FASTIFY_CODES[error.code] ?? HTTP_CODES[error.statusCode ?? 0];
    return code ? problemFor(code, { detail: error.message }) : undefined;
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = HTTP_CODES[status];
    return code
      ? { status, code, title: PROBLEM_CATALOGUE[code].title, detail: error.message }
      : { status, code: `HTTP_${status}`, title: error.message };
  }
  return undefined;
}
