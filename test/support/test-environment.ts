import { AppConfig } from '@app/config';
import { dropDatabase, prepareDatabase } from '@app/database';
import { retryQueueName, RetryTiers, topologyNames } from '@app/messaging';
import { onboardingRetryPolicies } from '@app/onboarding';
import { connect } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { workerQueues } from '../../apps/worker/src/worker.queues';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestEnvironment {
  /** Unique per test file: the database name and the broker topology prefix derive from it. */
  id: string;
  databaseUrl: string;
  rabbitmqUrl: string;
  topologyPrefix: string;
  /** A config for the apps; `overrides` are raw environment variables. */
  config(overrides?: Record<string, string>): AppConfig;
  /** The raw environment variables behind `config()`, for an app started as a child process. */
  variables(overrides?: Record<string, string>): Record<string, string>;
  /** Runs a query against the test database. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A queue the test declared itself, to be deleted by `cleanup`. */
  trackQueue(name: string): void;
  /** Drops the database and deletes the exchanges and queues this run declared. */
  cleanup(): Promise<void>;
}

/** A fresh, migrated database and a private topology prefix for one test file. */
export async function createTestEnvironment(): Promise<TestEnvironment> {
  const id = `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const serverUrl = new URL(process.env.TEST_POSTGRES_URL!);
  serverUrl.pathname = `/onboarding_test_${id}`;
  const databaseUrl = serverUrl.toString();
  const rabbitmqUrl = process.env.TEST_RABBITMQ_URL!;
  const topologyPrefix = `test.${id}`;
  // Retry-tier queues are named by their delay, and the worker's queues could depend on the configuration:
  // remember every queue any config implies, to delete them all.
  const names = topologyNames(topologyPrefix);
  const queues = new Set<string>([names.deadLetterQueue, names.parkedDeadLetterQueue]);
  await prepareDatabase(databaseUrl);
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  // An idle client whose connection dies (a fault test terminating backends) is dropped by the pool; without a
  // listener, its 'error' event would crash the test process.
  pool.on('error', () => undefined);
  const variables = (overrides: Record<string, string> = {}): Record<string, string> => {
    const raw = {
      DATABASE_URL: databaseUrl,
      RABBITMQ_URL: rabbitmqUrl,
      RABBITMQ_TOPOLOGY_PREFIX: topologyPrefix,
      ADMIN_TOKENS: TEST_ADMIN_TOKEN,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      OUTBOX_POLL_INTERVAL_MS: '200',
      SHUTDOWN_TIMEOUT_MS: '5000',
      // Tests register users by the hundred from one address; the rate-limit tests turn limits back on.
      RATE_LIMIT_ENABLED: 'false',
      ...overrides,
    };
    const config = AppConfig.load(raw);
    for (const queue of workerQueues(names, config)) queues.add(queue.name);
    for (const delay of RetryTiers.fromPolicies(onboardingRetryPolicies(config.retry)).delaysMs) {
      queues.add(retryQueueName(names, delay));
    }
    return raw;
  };

  return {
    id,
    databaseUrl,
    rabbitmqUrl,
    topologyPrefix,
    config: (overrides = {}) => AppConfig.load(variables(overrides)),
    variables,
    query: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    trackQueue: (name) => queues.add(name),
    cleanup: async () => {
      await pool.end();
      await dropDatabase(databaseUrl);
      await deleteTopology(rabbitmqUrl, topologyPrefix, [...queues]);
    },
  };
}

async function deleteTopology(rabbitmqUrl: string, prefix: string, queues: string[]): Promise<void> {
  const names = topologyNames(prefix);
  const connection = await connect(rabbitmqUrl);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of [
      names.eventsExchange,
      names.stepsExchange,
      names.deadLetterExchange,
      names.retryExchange,
    ])
      await channel.deleteExchange(exchange);
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** Polls `probe` until it returns a truthy value, or fails after `timeoutMs` with the last value seen. */
export async function eventually<T>(
  probe: () => Promise<T>,
  { timeoutMs = 15_000, intervalMs = 50, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
