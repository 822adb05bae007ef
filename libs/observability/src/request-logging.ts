import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Store, storage } from 'nestjs-pino/storage';
import type { RootLogger } from './logging.module';

// Probes and scrapes every few seconds would drown the useful lines.
const UNLOGGED_PATHS = /^\/(health|metrics)(\/|$)/;

const requestLoggers = new WeakMap<FastifyRequest, RootLogger>();

/**
 * Runs every request in a log context of its own (a child of the root logger with the request's `requestId`, on
 * every line Nest's Logger or PinoLogger writes meanwhile) and, once it is answered, logs one line at info
 * (`request completed`, or `request errored` for a 5xx) but for health probes and metric scrapes.
 *
 * Two Fastify hooks in place of pino-http applied as a Nest middleware, which cost a request on the cheapest
 * routes almost half its CPU (bench/README.md): three child loggers each, one of them serialising the request
 * whether anything was logged or not, and Nest's middleware matching on top.
 */
export function useRequestLogging(fastify: FastifyInstance, root: RootLogger): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const logger = root.child({ requestId: request.id });
    requestLoggers.set(request, logger);
    storage.run(new Store(logger), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const logger = requestLoggers.get(request) ?? root;
    if (logger.isLevelEnabled('info') && !UNLOGGED_PATHS.test(request.url)) {
      const { statusCode } = reply;
      logger.info(
        {
          req: {
            method: request.method,
            url: request.url,
            headers: request.headers,
            remoteAddress: request.ip,
            remotePort: request.socket.remotePort,
          },
          res: { statusCode, headers: reply.getHeaders() },
          responseTime: Math.round(reply.elapsedTime),
        },
        statusCode >= 500 ? 'request errored' : 'request completed',
      );
    }
    done();
  });
}
