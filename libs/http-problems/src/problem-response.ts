import { REQUEST_ID_HEADER } from '@app/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from './problem-mapping';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const slug = (code: string) => code.toLowerCase().replace(/_/g, '-');

/** The `type` URI of a problem code (a URN: stable, and not a link anyone expects to resolve). */
export const problemType = (code: string): string => `urn:onboarding:problem:${slug(code)}`;

/** RFC 9457 body of a problem, exactly as every error answer of the API carries it. */
export function renderProblem(
  problem: Problem,
  instance: string | undefined,
  requestId?: string,
): Record<string, unknown> {
  return {
    type: problemType(problem.code),
    title: problem.title,
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(instance === undefined ? {} : { instance }),
    code: problem.code,
    ...(requestId ? { requestId } : {}),
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...problem.extensions,
  };
}

/** Headers every answer with this status carries, besides those of the problem itself. */
export function statusHeaders(status: number): Record<string, string> {
  if (status === 401) return { 'WWW-Authenticate': 'Bearer realm="admin"' };
  if (status === 503) return { 'Retry-After': '5' };
  return {};
}

/** The path of a request, without its query (the `instance` of a problem). */
export const requestPath = (url: string): string => url.split('?')[0] ?? url;

/**
 * Answers with a problem: status, its headers, `application/problem+json` and the rendered body. Used by the
 * exception filter and by the Fastify-level handlers that run outside Nest (bad URLs, 405, rate limits…).
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  const requestId = reply.getHeader(REQUEST_ID_HEADER) ?? request.id;
  return reply
    .status(problem.status)
    .headers({ ...statusHeaders(problem.status), ...problem.headers })
    .header('Content-Type', PROBLEM_CONTENT_TYPE)
    .send(
      renderProblem(problem, requestPath(request.url), typeof requestId === 'string' ? requestId : undefined),
    );
}
