import { AppConfig } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream, Logger as PinoRootLogger } from 'pino';

/** Paths of secrets in any log line: they are replaced by "[REDACTED]". */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
];

/** DI token of the app's root pino logger (message handlers derive their per-message loggers from it). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
export type RootLogger = PinoRootLogger;

/**
 * JSON logs (pino) for both apps. Each HTTP request gets a request id (the client's `X-Request-Id` when it is
 * acceptable, a UUID otherwise) that is on every log line of the request (`requestId`: see useRequestLogging).
 */
@Module({})
export class LoggingModule {
  /** @param destination where log lines go (stdout by default; tests capture them) */
  static forRoot(appName: 'api' | 'worker', destination?: DestinationStream): DynamicModule {
    const rootLogger = {
      provide: ROOT_LOGGER,
      inject: [AppConfig],
      useFactory: (config: AppConfig): RootLogger =>
        pino(
          {
            level: config.logLevel,
            base: { app: appName },
            redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
          },
          destination ?? process.stdout,
        ),
    };
    const rootLoggerModule: DynamicModule = {
      module: class RootLoggerModule {},
      providers: [rootLogger],
      exports: [ROOT_LOGGER],
    };
    return {
      module: LoggingModule,
      global: true,
      imports: [
        rootLoggerModule,
        LoggerModule.forRootAsync({
          imports: [rootLoggerModule],
          inject: [ROOT_LOGGER],
          useFactory: (logger: RootLogger) => ({
            // The root logger of PinoLogger outside a request or message. No route gets nestjs-pino's pino-http
            // middleware: useRequestLogging does its job for HTTP requests, runWithLogContext for messages.
            pinoHttp: { logger },
            forRoutes: [],
          }),
        }),
      ],
      exports: [rootLoggerModule],
    };
  }
}
