import { DatabaseConnector } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { WebhookDeliveryRepository, type WebhookDeliveryWithAttempts } from './webhook-delivery.repository';
import { WebhookDeliveryScheduler } from './webhook-delivery.scheduler';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import type { WebhookEventType } from './webhook-events';
import {
  WebhookDeliveryNotFoundError,
  WebhookDeliveryPendingError,
  WebhookEndpointNotFoundError,
} from './webhooks.errors';

/**
 * Redelivery from the log (`POST /webhooks/{id}/deliveries/{deliveryId}/redeliver`): a new `deliver-webhook`
 * step message (a new message id, so the inbox lets it run) for the same delivery, hence the same `webhook-id`,
 * through the outbox, in the transaction that marks the delivery pending again.
 */
@Injectable()
export class WebhookRedelivery {
  private readonly logger = new Logger(WebhookRedelivery.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConnector,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly scheduler: WebhookDeliveryScheduler,
  ) {}

  /** @throws WebhookEndpointNotFoundError, WebhookDeliveryNotFoundError, WebhookDeliveryPendingError */
  async redeliver(
    endpointId: string,
    deliveryId: string,
    requestId?: string,
  ): Promise<WebhookDeliveryWithAttempts> {
    this.database.assertConnected();
    const redelivered = await this.dataSource.transaction(async (manager) => {
      const endpoint = await this.endpoints.lockLive(manager, endpointId);
      if (!endpoint) throw new WebhookEndpointNotFoundError(endpointId);
      const delivery = await this.deliveries.lock(manager, deliveryId);
      if (!delivery || delivery.endpointId !== endpointId) throw new WebhookDeliveryNotFoundError(deliveryId);
      if (delivery.status === 'pending') throw new WebhookDeliveryPendingError(deliveryId);
      const stepMessageId = randomUUID();
      const updated = await this.deliveries.markRedelivering(manager, deliveryId, stepMessageId);
      await this.scheduler.reschedule(manager, {
        command: {
          deliveryId,
          endpointId,
          userId: delivery.userId,
          eventType: delivery.eventType as WebhookEventType,
          eventMessageId: delivery.eventMessageId,
        },
        url: endpoint.url,
        stepMessageId,
        headers: requestId ? { 'x-request-id': requestId } : {},
      });
      return updated;
    });
    this.logger.log(`webhook delivery ${deliveryId} to endpoint ${endpointId} scheduled again`);
    const [withAttempts] = await this.deliveries.withAttempts([redelivered]);
    return withAttempts;
  }
}
