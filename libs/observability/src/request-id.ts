import { randomUUID } from 'node:crypto';

/** Header a client may send to correlate its request; echoed on the response and carried into AMQP headers. */
export const REQUEST_ID_HEADER = 'x-request-id';

// Anything else (too long, control characters) is replaced, so a client cannot inject into the logs.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** The client's request id when it is acceptable, otherwise a new one. */
export function requestIdFrom(candidate: unknown): string {
  const value = Array.isArray(candidate) ? (candidate[0] as unknown) : candidate;
  return typeof value === 'string' && ACCEPTABLE_REQUEST_ID.test(value) ? value : randomUUID();
}

interface RequestIdHost {
  getHttpAdapter(): {
    getInstance(): {
      addHook(
        name: 'onRequest',
        hook: (
          request: { id: string },
          reply: { header(name: string, value: string): unknown },
        ) => Promise<void>,
      ): unknown;
    };
  };
}

/**
 * Fastify options that make its request id (which pino-http then logs) the client's `X-Request-Id` when
 * acceptable, else a UUID.
 */
export const fastifyRequestIdOptions = {
  genReqId: (request: { headers: Record<string, unknown> }) =>
    requestIdFrom(request.headers[REQUEST_ID_HEADER]),
};

/** Echoes the request id in the `X-Request-Id` response header, errors included. */
export function echoRequestIdHeader(app: RequestIdHost): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      reply.header(REQUEST_ID_HEADER, request.id);
    });
}
