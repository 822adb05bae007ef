import type { DeadLetterObserver, RecordedDeadLetter } from '@app/dead-letters';
import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { DELIVER_WEBHOOK_COMMAND } from './deliver-webhook.command';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';

/**
 * A `deliver-webhook` step message was dead-lettered (a permanent failure, the retries spent, the delivery limit
 * or the queue TTL): its delivery has failed, in the ledger's transaction. Whatever is not a delivery's message
 * is ignored, never thrown on (throwing would hold the dead letter back from the ledger).
 */
@Injectable()
export class WebhookDeadLetterObserver implements DeadLetterObserver {
  private readonly logger = new Logger(WebhookDeadLetterObserver.name);

  constructor(private readonly deliveries: WebhookDeliveryRepository) {}

  async onDeadLettered(manager: EntityManager, deadLetter: RecordedDeadLetter): Promise<void> {
    if (deadLetter.routingKey !== DELIVER_WEBHOOK_COMMAND && deadLetter.type !== DELIVER_WEBHOOK_COMMAND)
      return;
    const deliveryId = (deadLetter.payload as { deliveryId?: unknown } | null)?.deliveryId;
    if (typeof deliveryId !== 'string' || !isUUID(deliveryId)) return;
    const error = `${deadLetter.errorCode}: ${deadLetter.errorMessage}`.slice(0, 1000);
    if (await this.deliveries.markFailed(manager, deliveryId, error)) {
      this.logger.warn(`webhook delivery ${deliveryId} failed: dead-lettered (${deadLetter.errorCode})`);
    }
  }
}
