import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RABBITMQ_CONNECTION_NAME, RabbitMqConnection } from './connection/rabbitmq.connection';
import { RabbitMqHealthIndicator } from './connection/rabbitmq.health';

/** The publishing connection and the RabbitMQ health indicator. */
@Module({})
export class MessagingModule {
  static forRoot(connectionName: string): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [TerminusModule],
      providers: [
        { provide: RABBITMQ_CONNECTION_NAME, useValue: connectionName },
        RabbitMqConnection,
        RabbitMqHealthIndicator,
      ],
      exports: [RabbitMqConnection, RabbitMqHealthIndicator],
    };
  }
}
