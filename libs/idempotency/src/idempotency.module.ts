import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyKey } from './idempotency-key.entity';
import { IdempotencyKeyPurger } from './idempotency-key.purger';
import { IdempotencyStore } from './idempotency.store';
import { IdempotentRequests } from './idempotent-requests';

/** Idempotency keys for the API: the store, the request runner, and the purge of expired keys. */
@Module({
  imports: [TypeOrmModule.forFeature([IdempotencyKey])],
  providers: [IdempotencyStore, IdempotentRequests, IdempotencyKeyPurger],
  exports: [IdempotentRequests, IdempotencyKeyPurger],
})
export class IdempotencyModule {}
