import { REQUEST_ID_HEADER } from '@app/observability';
import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toProblem } from './problem-mapping';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const slug = (code: string) => code.toLowerCase().replace(/_/g, '-');

/** Answers every error as RFC 9457 `application/problem+json` with a stable `code`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(error) ?? {
      status: 500,
      code: 'INTERNAL_ERROR',
      title: 'Internal server error',
    };
    // A bug deserves its stack; a dependency outage is an expected state (readiness probes report it every
    // few seconds), logged once per request without one; client errors are the client's business.
    if (problem.status === 500) {
      this.logger.error({ err: error }, `${request.method} ${request.url} failed: ${problem.code}`);
    } else if (problem.status >= 500 && problem.code !== 'NOT_READY') {
      this.logger.warn(
        `${request.method} ${request.url}: ${problem.code} (${problem.detail ?? problem.title})`,
      );
    }
    const requestId = reply.getHeader(REQUEST_ID_HEADER);
    if (problem.status === 401) void reply.header('WWW-Authenticate', 'Bearer realm="admin"');
    if (problem.status === 503) void reply.header('Retry-After', '5');
    void reply
      .status(problem.status)
      .header('Content-Type', PROBLEM_CONTENT_TYPE)
      .send({
        type: `urn:onboarding:problem:${slug(problem.code)}`,
        title: problem.title,
        status: problem.status,
        ...(problem.detail ? { detail: problem.detail } : {}),
        instance: request.url.split('?')[0],
        code: problem.code,
        ...(typeof requestId === 'string' ? { requestId } : {}),
        ...(problem.errors ? { errors: problem.errors } : {}),
        ...problem.extensions,
      });
  }
}
