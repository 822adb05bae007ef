import { dropDatabase } from '@app/database';
import { queueName, topologyNames } from '@app/messaging';
import { connect } from 'amqplib';
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { SCRIPTS } from './bench.settings';

/** A free TCP port on 127.0.0.1, picked by the kernel (never one of the well-known dev ports). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Share of all CPUs busy over the next `ms` (0..1), before the benchmark starts anything: other work on the
 * machine (a test suite, a build) skews every number, and the load average lags by minutes.
 */
export async function cpuBusyShare(ms: number): Promise<number> {
  const totals = () =>
    cpus().reduce(
      (sum, cpu) => {
        const { idle, user, nice, sys, irq } = cpu.times;
        return { idle: sum.idle + idle, all: sum.all + idle + user + nice + sys + irq };
      },
      { idle: 0, all: 0 },
    );
  const before = totals();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = totals();
  const all = after.all - before.all;
  return all > 0 ? Math.round((1 - (after.idle - before.idle) / all) * 100) / 100 : 0;
}

/** Creates and migrates the database with the project's own CLI (`npm run db:prepare`), as an operator would. */
export async function prepareDatabase(env: Record<string, string>, cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [SCRIPTS.prepareDatabase], {
    env,
    cwd,
    timeout: 60_000,
  });
  return stdout.trim();
}

/** DROP DATABASE … WITH (FORCE): safe while connections are still open. */
export async function dropBenchDatabase(databaseUrl: string): Promise<void> {
  await dropDatabase(databaseUrl);
}

type AmqpChannel = Awaited<ReturnType<Awaited<ReturnType<typeof connect>>['createChannel']>>;

/**
 * Deletes the exchanges and queues the apps declared under this run's prefix: the four fixed names, then, where
 * `rabbitmqctl` is at hand (a local broker), anything else named `<prefix>.*` (retry tiers, say). Returns the
 * problems met; an empty list means clean.
 */
export async function deleteTopology(rabbitmqUrl: string, prefix: string): Promise<string[]> {
  const names = topologyNames(prefix);
  const swept = listWithRabbitmqctl(rabbitmqUrl, prefix);
  const queues = new Set([
    queueName(names, 'step.provision-account'),
    names.deadLetterQueue,
    names.parkedDeadLetterQueue,
    ...(swept?.queues ?? []),
  ]);
  const exchanges = new Set([
    names.eventsExchange,
    names.stepsExchange,
    names.deadLetterExchange,
    names.retryExchange,
    ...(swept?.exchanges ?? []),
  ]);
  const problems: string[] = [];
  const connection = await connect(rabbitmqUrl);
  connection.on('error', () => undefined);
  try {
    const steps: [string, (channel: AmqpChannel) => Promise<unknown>][] = [
      ...[...queues].map((queue): [string, (channel: AmqpChannel) => Promise<unknown>] => [
        `queue ${queue}`,
        (channel) => channel.deleteQueue(queue),
      ]),
      ...[...exchanges].map((exchange): [string, (channel: AmqpChannel) => Promise<unknown>] => [
        `exchange ${exchange}`,
        (channel) => channel.deleteExchange(exchange),
      ]),
    ];
    // A failed operation closes its channel, so each gets a fresh one and one failure does not stop the rest.
    for (const [what, step] of steps) {
      try {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        await step(channel);
        await channel.close();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
      }
    }
  } finally {
    await connection.close();
  }
  const left = listWithRabbitmqctl(rabbitmqUrl, prefix);
  if (left && left.queues.length + left.exchanges.length > 0) {
    problems.push(`still on the broker: ${[...left.queues, ...left.exchanges].join(', ')}`);
  }
  return problems;
}

/** Queue and exchange names under `<prefix>.` on a local broker, or undefined without a usable rabbitmqctl. */
function listWithRabbitmqctl(
  rabbitmqUrl: string,
  prefix: string,
): { queues: string[]; exchanges: string[] } | undefined {
  const vhost = decodeURIComponent(new URL(rabbitmqUrl).pathname.slice(1)) || '/';
  const list = (what: 'list_queues' | 'list_exchanges') =>
    execFileSync('rabbitmqctl', [what, '-q', '-p', vhost, 'name'], {
      encoding: 'utf8',
      timeout: 15_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .map((name) => name.trim())
      .filter((name) => name.startsWith(`${prefix}.`));
  try {
    return { queues: list('list_queues'), exchanges: list('list_exchanges') };
  } catch {
    return undefined;
  }
}

/** Depth of a queue (passive check: never declares anything). */
export async function queueDepth(rabbitmqUrl: string, queue: string): Promise<number | undefined> {
  const connection = await connect(rabbitmqUrl);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount;
  } catch {
    return undefined;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
