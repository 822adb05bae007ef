import { AppConfig, RATE_LIMIT_POLICIES } from '@app/config';
import { Global, Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerStorageService } from '@nestjs/throttler';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * The named rate limits of configuration (RATE_LIMIT_*) on @nestjs/throttler, counted in the process or, with
 * REDIS_URL, in Redis shared by every replica. Routes opt in with `@RateLimit(policy)`; the admin guard uses
 * `RateLimitGuard.consume` for its per-token and failed-authentication limits.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: RATE_LIMIT_POLICIES.map((name) => ({
          name,
          limit: config.rateLimits.policies[name].limit,
          ttl: config.rateLimits.policies[name].windowMs,
        })),
        storage: config.redis.url
          ? new RedisThrottlerStorage(config.redis.url, config.redis.keyPrefix)
          : new ThrottlerStorageService(),
      }),
    }),
  ],
  providers: [RateLimitGuard],
  exports: [RateLimitGuard],
})
export class RateLimitingModule {}
