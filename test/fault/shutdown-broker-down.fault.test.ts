import { createServer, Server, Socket } from 'node:net';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';
import { AppProcess } from '../support/worker-process';
import { withDiagnostics } from './support/expect-onboarded-once';
import { compactOutputLine, FAULT_SETTINGS } from './support/fault-settings';
import { teardown } from './support/teardown';

/**
 * Both apps with RabbitMQ out of reach for good (a port that accepts TCP and then never answers, so connection
 * attempts hang until their own timeout): SIGTERM must still end each within its deadline, with status 0, instead
 * of waiting for a connection attempt or a reconnect backoff.
 */
describe('fault: shutdown with the broker unreachable', () => {
  let env: TestEnvironment;
  let blackHole: Server;
  let blackHolePort: number;
  const held = new Set<Socket>();
  const apps: AppProcess[] = [];
  const exitDeadlineMs = Number(FAULT_SETTINGS.SHUTDOWN_TIMEOUT_MS) + 5000;

  beforeAll(async () => {
    env = await createTestEnvironment();
    blackHole = createServer((socket) => {
      held.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    blackHolePort = (blackHole.address() as { port: number }).port;
  });

  afterAll(async () => {
    await teardown(
      ...apps.map((app) => () => app.stop()),
      () => {
        for (const socket of held) socket.destroy();
        return new Promise<void>((resolve) => blackHole.close(() => resolve()));
      },
      () => env?.cleanup(),
    );
  });

  it.each(['api', 'worker'] as const)(
    'when the %s gets SIGTERM while RabbitMQ never answers, then it exits 0 within its deadline',
    async (kind) => {
      const app = await AppProcess.start(
        kind,
        env.variables({ ...FAULT_SETTINGS, RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${blackHolePort}` }),
      );
      apps.push(app);
      // Up (liveness), not ready, and stuck connecting: the state to shut down from.
      await app.waitUntilLive();
      await new Promise((resolve) => setTimeout(resolve, 1500));

      const startedAt = Date.now();
      const exit = await app.kill('SIGTERM', exitDeadlineMs + 5000);

      await withDiagnostics(
        () => app.output(60, compactOutputLine),
        async () => {
          expect(exit).toEqual({ code: 0, signal: null });
          expect(Date.now() - startedAt).toBeLessThan(exitDeadlineMs);
        },
      );
    },
    60_000,
  );
});
