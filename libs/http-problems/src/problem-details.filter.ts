import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemFor, toProblem } from './problem-mapping';
import { sendProblem } from './problem-response';

/** Answers every error as RFC 9457 `application/problem+json` with a stable `code`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(error) ?? problemFor('INTERNAL_ERROR');
    // A bug deserves its stack; a dependency outage is an expected state (readiness probes report it every
    // few seconds), logged once per request without one; client errors are the client's business. pino writes
    // JSON, so a URL with encoded line breaks stays on one line.
    if (problem.status === 500) {
      this.logger.error({ err: error }, `${request.method} ${request.url} failed: ${problem.code}`);
    } else if (problem.status >= 500 && problem.code !== 'NOT_READY') {
      this.logger.warn(
        `${request.method} ${request.url}: ${problem.code} (${problem.detail ?? problem.title})`,
      );
    }
    void sendProblem(request, reply, problem);
  }
}
