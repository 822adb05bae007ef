export * from './database-errors';
export * from './database.connector';
export * from './database.health';
export * from './database.module';
export * from './guarded-pg-client';
export * from './prepare-database';
export * from './prepared-statement';
