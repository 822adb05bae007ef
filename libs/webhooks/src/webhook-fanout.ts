import { DatabaseConnector } from '@app/database';
import { User, UserNotFoundError } from '@app/users';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookDeliveryScheduler } from './webhook-delivery.scheduler';
import type { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { occurredAt, type WebhookEventType, type WebhookSourceEvent } from './webhook-events';

/** The fan-out's name: its queue's handler pattern (`<prefix>.webhooks`) and its inbox key. */
export const WEBHOOK_FANOUT = 'webhook-fanout';

/** The event message being fanned out. */
export interface FanOutMessage {
  messageId: string;
  requestId?: string;
}

/**
 * One user event → one delivery per endpoint subscribed to its type: a delivery row (its id is the
 * `webhook-id`), the delivery's pending unit on the user's timeline and its `deliver-webhook` step message
 * through the outbox, all in one transaction; each delivery is then a step of its own, retried and dead-lettered
 * alone. `user.verified`, `user.updated` and `user.erased` come through the fan-out's own queue ({@link fanOut},
 * guarded by the inbox); `user.registered` is fanned out by the provision-account step, in its own transaction
 * ({@link scheduleDeliveries}), so that the registration event keeps a single queue (see the README, "Webhooks").
 */
@Injectable()
export class WebhookFanout {
  private readonly logger = new Logger(WebhookFanout.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConnector,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly scheduler: WebhookDeliveryScheduler,
  ) {}

  /**
   * An event from the fan-out's queue, in a transaction of its own guarded by the inbox. An event no endpoint
   * subscribed to writes nothing at all.
   * @returns how many deliveries were scheduled, or `duplicate` when this message was fanned out before
   * @throws UserNotFoundError (permanent) when endpoints are subscribed but the event's user does not exist
   */
  async fanOut(
    message: FanOutMessage,
    eventType: WebhookEventType,
    event: WebhookSourceEvent,
  ): Promise<number | 'duplicate'> {
    this.database.assertConnected();
    // Most events have no subscriber: no transaction, no inbox row for them.
    if ((await this.endpoints.findSubscribed(eventType)).length === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.scheduler.claimFanOut(manager, message.messageId))) return 'duplicate' as const;
      if (!(await manager.existsBy(User, { id: event.userId }))) throw new UserNotFoundError(event.userId);
      return this.scheduleDeliveries(manager, message, eventType, event);
    });
  }

  /**
   * In the caller's transaction (which deduplicates the event message): a delivery for every endpoint
   * subscribed to the event's type, unless it has one for this event already.
   * @returns how many deliveries were scheduled
   */
  async scheduleDeliveries(
    manager: EntityManager,
    message: FanOutMessage,
    eventType: WebhookEventType,
    event: WebhookSourceEvent,
  ): Promise<number> {
    return this.scheduleDeliveriesOfMany(manager, eventType, [{ message, event }]);
  }

  /**
   * {@link scheduleDeliveries} for several events of one type (a batch of a step), looking the endpoints up once.
   * @returns how many deliveries were scheduled in all
   */
  async scheduleDeliveriesOfMany(
    manager: EntityManager,
    eventType: WebhookEventType,
    events: readonly { message: FanOutMessage; event: WebhookSourceEvent }[],
  ): Promise<number> {
    const endpoints = await this.endpoints.findSubscribed(eventType, manager);
    if (endpoints.length === 0) return 0;
    let count = 0;
    for (const { message, event } of events) {
      let scheduled = 0;
      for (const endpoint of endpoints)
        if (await this.scheduleDelivery(manager, endpoint, message, eventType, event)) scheduled++;
      if (scheduled > 0)
        this.logger.log(`${eventType} of user ${event.userId}: ${scheduled} webhook deliveries scheduled`);
      count += scheduled;
    }
    return count;
  }

  /** @returns whether a delivery was scheduled (false: the endpoint has its delivery of this event already) */
  private async scheduleDelivery(
    manager: EntityManager,
    endpoint: Pick<WebhookEndpoint, 'id' | 'url'>,
    message: FanOutMessage,
    eventType: WebhookEventType,
    event: WebhookSourceEvent,
  ): Promise<boolean> {
    const deliveryId = randomUUID();
    const stepMessageId = randomUUID();
    const inserted = await this.deliveries.insert(manager, {
      id: deliveryId,
      endpointId: endpoint.id,
      userId: event.userId,
      eventType,
      eventMessageId: message.messageId,
      eventPayload: { ...event },
      occurredAt: new Date(occurredAt(event)),
      stepMessageId,
    });
    // Delivered before (the inbox row of an old fan-out was purged): the endpoint has its delivery.
    if (!inserted) return false;
    await this.scheduler.schedule(manager, {
      command: {
        deliveryId,
        endpointId: endpoint.id,
        userId: event.userId,
        eventType,
        eventMessageId: message.messageId,
      },
      url: endpoint.url,
      stepMessageId,
      headers: message.requestId ? { 'x-request-id': message.requestId } : {},
    });
    return true;
  }
}
