import { AppConfig } from '@app/config';
import {
  answerShutdownWithProblem,
  fastifyProblemOptions,
  refuseNulInUrl,
  useCodedJsonBodyParser,
  useMethodNotAllowed,
} from '@app/http-problems';
import {
  AppOptions,
  echoRequestIdHeader,
  fastifyRequestIdOptions,
  ROOT_LOGGER,
  RootLogger,
  useHttpMetrics,
  useRequestLogging,
} from '@app/observability';
import { closeConnectionsWhenDraining, isDraining } from '@app/resilience';
import cors from '@fastify/cors';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { ApiModule } from './api.module';
import { serveConsole } from './console/console.routes';
import { restrictMetrics } from './metrics/metrics-access';
import { createApiDocument } from './openapi/api-document';
import { useSecurityHeaders } from './security-headers';

/** Headers a browser client on an allowed origin may read (everything the API documents). */
const EXPOSED_HEADERS = [
  'Location',
  'ETag',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'Idempotent-Replayed',
  'X-Request-Id',
];

/** Builds the API application (used by main.ts and by the tests, so both run the same wiring). */
export async function createApiApp(
  config: AppConfig,
  options: AppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config, options),
    new FastifyAdapter({
      bodyLimit: config.http.bodyLimitBytes,
      // Only a configured proxy may set the client address (X-Forwarded-For); by default nobody can spoof it.
      trustProxy: config.edge.trustProxy,
      ...fastifyRequestIdOptions,
      ...fastifyProblemOptions,
      // Requests that arrive while closing are answered by answerShutdownWithProblem, as problems.
      return503OnClosing: false,
    }),
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  useRequestLogging(app.getHttpAdapter().getInstance(), app.get<RootLogger>(ROOT_LOGGER));
  const fastify = app.getHttpAdapter().getInstance();
  echoRequestIdHeader(app);
  closeConnectionsWhenDraining(app);
  answerShutdownWithProblem(fastify, isDraining);
  useSecurityHeaders(fastify, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Swagger UI styles elements inline and draws its icons as data: URIs.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        // The API may well be served over plain HTTP on a private network; never rewrite its own requests.
        upgradeInsecureRequests: null,
      },
    },
  });
  // After helmet (its headers apply to 405s too), before the CORS plugin, which otherwise answers every
  // OPTIONS, and before any route is registered.
  useMethodNotAllowed(fastify);
  refuseNulInUrl(fastify);
  await app.register(cors, {
    // No origin is allowed unless configured: preflights are answered (204) but without Allow-Origin.
    origin: [...config.edge.corsAllowedOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  useCodedJsonBodyParser(app);
  useHttpMetrics(fastify, app.get(Registry));
  restrictMetrics(fastify, config);
  if (config.edge.docsEnabled) {
    const document = await createApiDocument(app);
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }
  // The operator console (built into dist/console by npm run build), under its own stricter CSP.
  serveConsole(fastify);
  return app;
}
