import { AppConfig, loadDotEnv } from '@app/config';
import { closeOnSignals, limitHeapGrowth } from '@app/resilience';
import { Logger } from 'nestjs-pino';
import { createApiApp } from './api.factory';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = AppConfig.load();
  limitHeapGrowth(config.heapGrowingPercent);
  const app = await createApiApp(config);
  // The drain (in-flight work, relay flush) gets the configured time; closing connections a little more.
  closeOnSignals(app, config.shutdownTimeoutMs + 5000, (message) => app.get(Logger).log(message, 'Shutdown'));
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
