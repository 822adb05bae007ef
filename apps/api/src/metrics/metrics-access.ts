import type { AppConfig } from '@app/config';
import { problemFor, sendProblem } from '@app/http-problems';
import type { FastifyInstance } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Who may read `GET /metrics` on the API port: with METRICS_PORT set, nobody (it is served on that port
 * only, see MetricsPortServer); with METRICS_TOKEN set, a client presenting `Authorization: Bearer <token>`
 * (Prometheus' `authorization` scrape setting); otherwise anyone, as before.
 */
export function restrictMetrics(fastify: FastifyInstance, config: AppConfig): void {
  const { port, token } = config.edge.metrics;
  if (port === undefined && token === undefined) return;
  const expected = token === undefined ? undefined : digest(token);
  fastify.addHook('onRequest', async (request, reply) => {
    if (!/^\/metrics\/?(\?|$)/.test(request.url)) return;
    if (port !== undefined) {
      return sendProblem(
        request,
        reply,
        problemFor('ROUTE_NOT_FOUND', { detail: 'metrics are served on another port' }),
      );
    }
    const presented = /^Bearer ([\x21-\x7e]+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!expected || !presented || !timingSafeEqual(digest(presented), expected)) {
      return sendProblem(
        request,
        reply,
        problemFor('UNAUTHORIZED', { detail: 'the metrics token is missing or wrong' }),
      );
    }
  });
}
