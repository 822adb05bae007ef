import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const WARN_EVERY_MS = 10_000;

/**
 * Rate-limit counters in Redis (@nest-lab/throttler-storage-redis: one Lua script per hit), so that every API
 * replica spends the same budget. Keys carry `keyPrefix` (REDIS_KEY_PREFIX).
 *
 * When Redis is unreachable the limits fail open: the request is let through and a warning is logged (at most
 * every 10 s). Refusing every signup because a cache is down would turn a Redis outage into an API outage;
 * argon2's bounded queue (ARGON2_MAX_PENDING) still protects the process meanwhile.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly client: Redis;
  private readonly storage: ThrottlerStorageRedisService;
  private lastWarning = 0;

  constructor(url: string, keyPrefix: string) {
    this.client = new Redis(url, {
      keyPrefix,
      // Queue commands only while first connecting; a request never waits long for a missing Redis.
      commandTimeout: 1000,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 5000),
    });
    this.client.on('error', (error: Error) => this.warn(`Redis: ${error.message}`));
    this.storage = new ThrottlerStorageRedisService(this.client);
  }

  /** Resolves once connected (tests wait for it; the app does not). */
  async whenReady(): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve) => this.client.once('ready', () => resolve()));
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (['reconnecting', 'close', 'end'].includes(this.client.status))
      return this.failOpen(ttl, 'unreachable');
    try {
      return await this.storage.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      return this.failOpen(ttl, (error as Error).message);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private failOpen(ttl: number, reason: string): ThrottlerStorageRecord {
    this.warn(`rate limits not enforced, Redis failed: ${reason}`);
    return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
  }

  private warn(message: string): void {
    if (Date.now() - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = Date.now();
    this.logger.warn(message);
  }
}
