import { AppConfig } from '@app/config';
import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseConnector } from './database.connector';
import { DatabaseHealthIndicator } from './database.health';
import { GuardedPgClient } from './guarded-pg-client';

/**
 * The TypeORM data source for both apps. Feature libraries register their entities with
 * `TypeOrmModule.forFeature`. The schema comes from migrations (`npm run migration:run`), never `synchronize`.
 * Initialisation is manual: {@link DatabaseConnector} connects in the background with backoff.
 */
@Global()
@Module({
  imports: [
    TerminusModule,
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        type: 'postgres',
        url: config.database.url,
        autoLoadEntities: true,
        synchronize: false,
        manualInitialization: true,
        extra: {
          Client: GuardedPgClient,
          max: config.database.poolSize,
          connectionTimeoutMillis: 5000,
          // Bounds every statement, lock waits included, so a stuck query fails instead of outliving the
          // handler (and the broker's consumer timeout); a transaction left idle is ended too.
          statement_timeout: config.database.statementTimeoutMs,
          idle_in_transaction_session_timeout: config.database.statementTimeoutMs * 2,
        },
      }),
    }),
  ],
  providers: [DatabaseConnector, DatabaseHealthIndicator],
  exports: [DatabaseConnector, DatabaseHealthIndicator],
})
export class DatabaseModule {}
