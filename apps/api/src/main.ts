import { AppConfig, loadDotEnv } from '@app/config';
import { createApiApp } from './api.factory';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = AppConfig.load();
  const app = await createApiApp(config);
  app.enableShutdownHooks();
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
