import { problemFor, sendProblem } from '@app/http-problems';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleBundle, type ConsoleFile } from './console.bundle';

/** Where the console is served. */
export const CONSOLE_PATH = '/console';

/**
 * The console's own policy, stricter than the API's (which allows Swagger UI's inline styles): its scripts,
 * styles and data come from this origin only; nothing inline, nothing external, no frames, no plugins. Helmet's
 * defaults are not merged in (they allow fonts from any https origin).
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    manifestSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
  },
};

const send = (reply: FastifyReply, file: ConsoleFile) =>
  reply.header('Content-Type', file.contentType).header('Cache-Control', file.cacheControl).send(file.body);

/**
 * Serves the operator console at /console: the page, and its assets under /console/assets/. The page itself holds
 * no data and needs no token; everything it shows comes from the admin API, with the token the operator types in.
 * Without a built bundle (`npm run build`), /console answers 404 saying so, and a warning is logged at boot.
 */
export function serveConsole(fastify: FastifyInstance, directory = ConsoleBundle.defaultDirectory()): void {
  const logger = new Logger('Console');
  const bundle = ConsoleBundle.load(directory);
  if (bundle) logger.log(`operator console served at ${CONSOLE_PATH} from ${directory}`);
  else logger.warn(`operator console not built (no ${directory}/index.html): run npm run build`);
  const notBuilt = (request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(
      request,
      reply,
      problemFor('ROUTE_NOT_FOUND', {
        detail: 'The operator console is not built into this installation: npm run build builds it',
      }),
    );
  const page = async (request: FastifyRequest, reply: FastifyReply) =>
    bundle ? send(reply, bundle.page) : notBuilt(request, reply);
  const options = { config: { contentSecurityPolicy: CONSOLE_CONTENT_SECURITY_POLICY } };
  fastify.get(CONSOLE_PATH, options, page);
  fastify.get(`${CONSOLE_PATH}/`, options, page);
  fastify.get<{ Params: { name: string } }>(
    `${CONSOLE_PATH}/assets/:name`,
    options,
    async (request, reply) => {
      const file = bundle?.asset(request.params.name);
      if (file) return send(reply, file);
      return sendProblem(
        request,
        reply,
        problemFor('ROUTE_NOT_FOUND', { detail: `No console asset ${request.params.name}` }),
      );
    },
  );
}
