import { AppConfig, loadDotEnv } from '@app/config';
import { closeOnSignals, limitHeapGrowth } from '@app/resilience';
import { Logger } from 'nestjs-pino';
import { createWorkerApp, startWorkerApp } from './worker.factory';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = AppConfig.load();
  limitHeapGrowth(config.heapGrowingPercent);
  const app = await createWorkerApp(config);
  // The drain (in-flight work, relay flush) gets the configured time; closing connections a little more.
  closeOnSignals(app, config.shutdownTimeoutMs + 5000, (message) => app.get(Logger).log(message, 'Shutdown'));
  await startWorkerApp(app, config.worker.httpPort);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
