export * from './app-options';
export * from './log-context';
export * from './logging.module';
export * from './request-id';
export * from './metrics.module';
export * from './http-metrics';
export * from './request-logging';
