import { AppConfig } from '@app/config';
import { DependencyUnavailableError } from '@app/errors';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { exponentialBackoff } from '@app/resilience';
import { DataSource } from 'typeorm';
import { sendStatementsUnnamed } from './prepared-statement';

/**
 * Connects the TypeORM data source in the background, retrying with exponential backoff and jitter, so that the
 * app starts and answers liveness while PostgreSQL is down. Once connected, the pg pool replaces broken
 * connections by itself. Closed last on shutdown (after everything that uses it has stopped).
 */
@Injectable()
export class DatabaseConnector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseConnector.name);
  private stopped = false;
  private connecting?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    if (!config.database.preparedStatements) sendStatementsUnnamed(dataSource);
  }

  onApplicationBootstrap(): void {
    // A hybrid app (the worker) bootstraps twice: once for HTTP, once when its microservice starts.
    this.connecting ??= this.connectUntilStopped();
  }

  get isConnected(): boolean {
    return this.dataSource.isInitialized;
  }

  /** @throws DependencyUnavailableError while the first connection has not been made */
  assertConnected(): void {
    if (!this.dataSource.isInitialized) throw new DependencyUnavailableError('PostgreSQL');
  }

  /**
   * Whether PostgreSQL answers `SELECT 1` within `timeoutMs`.
   * @throws DependencyUnavailableError when it does not
   */
  async probe(timeoutMs = 1000): Promise<void> {
    this.assertConnected();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      throw new DependencyUnavailableError('PostgreSQL', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once connected (or when the app stops first). */
  async whenConnected(): Promise<void> {
    await this.connecting;
  }

  private async connectUntilStopped(): Promise<void> {
    const delays = exponentialBackoff({ initialMs: 200, maxMs: 10_000 });
    while (!this.stopped && !this.dataSource.isInitialized) {
      try {
        await this.dataSource.initialize();
        this.logger.log('connected to PostgreSQL');
      } catch (error) {
        const delayMs = delays.next();
        this.logger.warn(`PostgreSQL unavailable (${(error as Error).message}); retrying in ${delayMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.connecting;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
