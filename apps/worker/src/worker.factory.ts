import { AppConfig } from '@app/config';
import { closeConnectionsWhenDraining } from '@app/resilience';
import { ReliableRmqServer, RpcErrorPassthroughFilter } from '@app/messaging';
import { AppOptions, echoRequestIdHeader, fastifyRequestIdOptions } from '@app/observability';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

/** Builds the worker: an HTTP app (probes) with the RMQ consumer attached. Used by main.ts and the tests. */
export async function createWorkerApp(
  config: AppConfig,
  options: AppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    WorkerModule.forRoot(config, options),
    new FastifyAdapter(fastifyRequestIdOptions),
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  echoRequestIdHeader(app);
  closeConnectionsWhenDraining(app);
  // Deferred, so that the filter is in place before the handlers are registered.
  const consumer = app.connectMicroservice(
    { strategy: app.get(ReliableRmqServer) },
    { deferInitialization: true },
  );
  consumer.useGlobalFilters(new RpcErrorPassthroughFilter());
  return app;
}

/**
 * Serves the probes first, then attaches the consumer without waiting for it: with the broker down, Nest's
 * `startAllMicroservices()` would not return, and liveness must answer regardless.
 */
export async function startWorkerApp(app: NestFastifyApplication, port: number): Promise<void> {
  await app.listen({ port, host: '0.0.0.0' });
  app.startAllMicroservices().catch((error: unknown) => {
    new NestLogger('Worker').error(`consumer failed to start: ${(error as Error).message}`);
  });
}
