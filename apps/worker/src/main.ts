import { AppConfig, loadDotEnv } from '@app/config';
import { createWorkerApp, startWorkerApp } from './worker.factory';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = AppConfig.load();
  const app = await createWorkerApp(config);
  app.enableShutdownHooks();
  await startWorkerApp(app, config.worker.httpPort);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
