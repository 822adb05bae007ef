import { Store, storage } from 'nestjs-pino/storage';
import type { RootLogger } from './logging.module';

/**
 * Runs `work` with a logger that carries `bindings` (request id, message id…) on every line that Nest's Logger
 * or PinoLogger writes inside it: what pino-http does for HTTP requests, for anything else (AMQP messages).
 */
export function runWithLogContext<T>(
  root: RootLogger,
  bindings: Record<string, unknown>,
  work: () => Promise<T>,
): Promise<T> {
  return storage.run(new Store(root.child(bindings)), work);
}
