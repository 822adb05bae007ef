export * from './user-cursor';
export * from './user-registered.event';
export * from './user.entity';
export * from './users.errors';
export * from './users.module';
export * from './users.repository';
export * from './users.service';
