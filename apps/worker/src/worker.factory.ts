import { AppConfig } from '@app/config';
import { closeConnectionsWhenDraining } from '@app/resilience';
import { ReliableRmqServer, RetryInterceptor, RpcErrorPassthroughFilter } from '@app/messaging';
import {
  AppOptions,
  echoRequestIdHeader,
  fastifyRequestIdOptions,
  ROOT_LOGGER,
  RootLogger,
  useRequestLogging,
} from '@app/observability';
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
    new FastifyAdapter({ ...fastifyRequestIdOptions, return503OnClosing: false }),
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  useRequestLogging(app.getHttpAdapter().getInstance(), app.get<RootLogger>(ROOT_LOGGER));
  echoRequestIdHeader(app);
  closeConnectionsWhenDraining(app);
  // Deferred, so that the filter is in place before the handlers are registered.
  const consumer = app.connectMicroservice(
    { strategy: app.get(ReliableRmqServer) },
    { deferInitialization: true },
  );
  consumer.useGlobalFilters(new RpcErrorPassthroughFilter());
  // Every message handler runs behind it: any failure becomes a decision (pause, retry, dead-letter).
  consumer.useGlobalInterceptors(app.get(RetryInterceptor));
  return app;
}

/**
 * Serves the probes first, then starts the consumer, which connects in the background (with the broker or the
 * database down, liveness must answer regardless; readiness says what the consumer waits for).
 */
export async function startWorkerApp(app: NestFastifyApplication, port: number): Promise<void> {
  await app.listen({ port, host: '0.0.0.0' });
  await app.startAllMicroservices();
}
