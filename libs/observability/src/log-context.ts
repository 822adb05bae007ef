import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';

/**
 * Runs `work` with a logger that carries `bindings` (request id, message id…) on every line that Nest's Logger
 * or PinoLogger writes inside it: what pino-http does for HTTP requests, for anything else (AMQP messages).
 */
export function runWithLogContext<T>(bindings: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  const root = (PinoLogger as unknown as { root?: import('pino').Logger }).root;
  if (!root) return work();
  return storage.run(new Store(root.child(bindings)), work);
}
