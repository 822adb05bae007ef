export * from './backoff';
export * from './graceful-shutdown';
