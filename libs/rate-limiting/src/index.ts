export * from './rate-limit-exceeded.error';
export * from './rate-limit.decorator';
export * from './rate-limit.guard';
export * from './rate-limit.headers';
export * from './rate-limit.metadata';
export * from './rate-limiting.module';
export * from './redis-throttler.storage';
