import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { problemFor, toProblem } from './problem-mapping';
import { PROBLEM_CONTENT_TYPE, renderProblem, sendProblem } from './problem-response';

/**
 * Errors Fastify answers before any route (and so before Nest's exception filter) runs: a URL that cannot be
 * decoded (`FST_ERR_BAD_URL`), a path parameter over `maxParamLength` (414), an async constraint failure.
 */
function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // No hook runs for these, helmet's included: the answer gets the headers that matter for a JSON error.
  void reply.headers(ERROR_SECURITY_HEADERS);
  void sendProblem(request, reply, toProblem(error) ?? problemFor('BAD_REQUEST', { detail: error.message }));
}

/** The security headers of an error answered before any hook runs (helmet's, for a body that is never a page). */
const ERROR_SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * Errors of the HTTP parser itself (headers over Node's `maxHeaderSize`, a malformed request line, a client
 * timeout): Node hands over the socket, and the answer is written by hand, still as a problem.
 */
function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? problemFor('REQUEST_HEADERS_TOO_LARGE')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? { status: 408, code: 'REQUEST_TIMEOUT', title: 'Request timeout' }
        : problemFor('BAD_REQUEST', { detail: 'the request could not be parsed as HTTP/1.1' });
  const body = JSON.stringify(renderProblem(problem, undefined));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Options for the FastifyAdapter so that Fastify's own errors are problems too (see each handler). */
export const fastifyProblemOptions = { frameworkErrors, clientErrorHandler };

/**
 * Refuses a URL with an encoded NUL (`%00`) in its path or query: PostgreSQL text cannot hold U+0000, so such
 * a value would fail deep inside a query (a 500) instead of at the edge (400 MALFORMED_URL).
 */
export function refuseNulInUrl(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (!/%00/i.test(request.url)) return;
    return sendProblem(
      request,
      reply,
      problemFor('MALFORMED_URL', { detail: 'the URL has an encoded NUL (%00)' }),
    );
  });
}

/**
 * While the process shuts down, a request that reaches it anyway (on a keep-alive connection, or pipelined)
 * answers `503 SHUTTING_DOWN` with `Connection: close`, as a problem; Fastify's own closing answer (its
 * `return503OnClosing`, to be turned off) is plain JSON without a code. Health probes go on answering for
 * themselves (readiness reports the shutdown).
 */
export function answerShutdownWithProblem(fastify: FastifyInstance, isShuttingDown: () => boolean): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (!isShuttingDown() || request.url.startsWith('/health/')) return;
    void reply.header('Connection', 'close');
    return sendProblem(
      request,
      reply,
      problemFor('SHUTTING_DOWN', {
        detail: 'this instance is shutting down; retry',
        headers: { 'Retry-After': '1' },
      }),
    );
  });
}
