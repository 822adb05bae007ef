import { AppConfig } from '@app/config';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { ConfirmPublisher } from '../publishing/confirm.publisher';
import { assertExchanges } from '../topology/declare-topology';
import { topologyNames, TopologyNames } from '../topology/topology-names';
import { connectWithBackoff } from './amqp-connect';

export const RABBITMQ_CONNECTION_NAME = Symbol('RABBITMQ_CONNECTION_NAME');

/**
 * The app's publishing connection to RabbitMQ (consuming uses a connection of its own, as RabbitMQ advises, so
 * that flow control on publishers never stalls consumers). It connects in the background and reconnects with
 * backoff; `publisher` waits for an open channel (up to the publish timeout).
 */
@Injectable()
export class RabbitMqConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(RabbitMqConnection.name);
  readonly names: TopologyNames;
  readonly manager: AmqpConnectionManager;
  readonly publisher: ConfirmPublisher;

  constructor(config: AppConfig, @Inject(RABBITMQ_CONNECTION_NAME) connectionName: string) {
    this.names = topologyNames(config.rabbitmq.topologyPrefix);
    this.manager = connectWithBackoff({
      url: config.rabbitmq.url,
      heartbeatSeconds: config.rabbitmq.heartbeatSeconds,
      connectionName,
    });
    this.manager.on('connect', () => this.logger.log('connected to RabbitMQ'));
    this.manager.on('disconnect', ({ err }: { err?: Error }) =>
      this.logger.warn(`disconnected from RabbitMQ${err ? `: ${err.message}` : ''}`),
    );
    this.manager.on('connectFailed', ({ err }: { err?: Error }) =>
      this.logger.warn(`cannot reach RabbitMQ${err ? `: ${err.message}` : ''}`),
    );
    this.publisher = new ConfirmPublisher(this.manager, {
      publishTimeoutMs: config.rabbitmq.publishTimeoutMs,
      setup: (channel) => assertExchanges(channel, this.names),
    });
  }

  /** Connected, with a publishing channel open: what readiness and the relay go by. */
  get isConnected(): boolean {
    return this.manager.isConnected() && this.publisher.isOpen;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
    await this.manager.close();
  }
}
