export * from './app-config';
export * from './config.module';
export type { LogLevel, NodeEnvironment } from './environment';
