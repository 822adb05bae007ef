import { AppConfig } from '@app/config';
import { closeConnectionsWhenDraining } from '@app/resilience';
import { useCodedJsonBodyParser } from '@app/http-problems';
import { AppOptions, echoRequestIdHeader, fastifyRequestIdOptions } from '@app/observability';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { ApiModule } from './api.module';

/** Builds the API application (used by main.ts and by the tests, so both run the same wiring). */
export async function createApiApp(
  config: AppConfig,
  options: AppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config, options),
    new FastifyAdapter({
      bodyLimit: config.http.bodyLimitBytes,
      trustProxy: true,
      // Readiness fails first, so what still arrives while HTTP closes is served (and relayed) rather than
      // answered with Fastify's bare 503, which is not problem+json and tells the client nothing.
      return503OnClosing: false,
      ...fastifyRequestIdOptions,
    }),
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  echoRequestIdHeader(app);
  closeConnectionsWhenDraining(app);
  useCodedJsonBodyParser(app);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Onboarding service')
      .setDescription(
        'Registers users and onboards them asynchronously. Errors are RFC 9457 `application/problem+json` ' +
          'with a stable `code`. Admin routes take `Authorization: Bearer <token>` (ADMIN_TOKENS).',
      )
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'One of ADMIN_TOKENS' }, 'admin')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
