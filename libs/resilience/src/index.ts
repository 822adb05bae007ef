export * from './backoff';
export * from './graceful-shutdown';
export * from './heap-growth';
