import { AppConfig } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

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

/**
 * JSON logs (pino) for both apps. Each HTTP request gets a request id (the client's `X-Request-Id` when it is
 * acceptable, a UUID otherwise) that is on every log line of the request (`requestId`).
 */
@Module({})
export class LoggingModule {
  /** @param destination where log lines go (stdout by default; tests capture them) */
  static forRoot(appName: 'api' | 'worker', destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            pinoHttp: [
              {
                level: config.logLevel,
                base: { app: appName },
                redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
                // Fastify assigns the id (see fastifyRequestIdOptions); this covers any other adapter.
                genReqId: (req: IncomingMessage, res: ServerResponse) => {
                  const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
                  res.setHeader(REQUEST_ID_HEADER, id);
                  return id;
                },
                customAttributeKeys: { reqId: 'requestId' },
                // Probes and scrapes every few seconds would drown the useful lines.
                autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)/.test(req.url ?? '') },
                quietReqLogger: true,
              },
              destination ?? process.stdout,
            ],
          }),
        }),
      ],
    };
  }
}
