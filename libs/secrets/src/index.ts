export * from './secret-box';
export * from './secrets.errors';
export * from './secrets.module';
