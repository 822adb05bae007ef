import type { AppConfig } from '@app/config';
import { DatabaseConnector } from '@app/database';
import { ReliableRmqServer } from '@app/messaging';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import { createApiApp } from '../../apps/api/src/api.factory';
import { createWorkerApp } from '../../apps/worker/src/worker.factory';

/** Collects the JSON log lines an app writes, for assertions on what was (or was not) logged. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }

  get text(): string {
    return this.lines.map((line) => JSON.stringify(line)).join('\n');
  }
}

/**
 * The API in-process, as main.ts wires it, ready for `app.inject()`. Resolves once PostgreSQL is connected,
 * unless `waitForDatabase` is false (a test of startup with the database down).
 */
export async function startApi(
  config: AppConfig,
  { logs, waitForDatabase = true }: { logs?: LogCapture; waitForDatabase?: boolean } = {},
): Promise<NestFastifyApplication> {
  const app = await createApiApp(config, { logDestination: logs });
  await app.init();
  // `bufferLogs` holds log lines until listen(); tests never listen, so release them here.
  app.flushLogs();
  await app.getHttpAdapter().getInstance().ready();
  if (waitForDatabase) await app.get(DatabaseConnector).whenConnected();
  return app;
}

/**
 * The worker in-process. With `waitForConsumer`, resolves once it consumes its queues; without it (the broker
 * or the database may be down), it starts consuming whenever it can.
 */
export async function startWorker(
  config: AppConfig,
  { waitForConsumer = true, logs }: { waitForConsumer?: boolean; logs?: LogCapture } = {},
): Promise<NestFastifyApplication> {
  const app = await createWorkerApp(config, { logDestination: logs });
  await app.init();
  app.flushLogs();
  await app.getHttpAdapter().getInstance().ready();
  // The consumer connects in the background; with `waitForConsumer`, wait until it takes messages.
  await app.startAllMicroservices();
  if (waitForConsumer) await app.get(ReliableRmqServer).whenConsuming();
  return app;
}
