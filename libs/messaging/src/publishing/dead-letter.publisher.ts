import { ConfirmPublisher } from './confirm.publisher';
import type { RmqDelivery } from '../consuming/rmq-delivery';
import { TopologyNames } from '../topology/topology-names';
import { DEAD_LETTER_HEADERS, failureHeaders } from './failure-headers';

/** Why the ledger could not take a dead letter that went to the parked queue. */
export const LEDGER_ERROR_HEADER = 'x-ledger-error';

/**
 * Republishes a failed message to the dead-letter exchange with the reason in its headers (the broker's own
 * dead-lettering can only say "rejected"), and resolves once the broker has confirmed it. The caller acks the
 * original only after that, so a crash in between yields a duplicate dead letter, never a lost one.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly names: TopologyNames,
  ) {}

  async publish(delivery: RmqDelivery, error: unknown, attempts: number): Promise<void> {
    const headers: Record<string, unknown> = {
      ...failureHeaders(delivery.message, error, attempts),
      [DEAD_LETTER_HEADERS.failedQueue]: delivery.queue.name,
    };
    const routingKey = String(headers[DEAD_LETTER_HEADERS.originalRoutingKey]);
    await this.publisher.publish({
      exchange: this.names.deadLetterExchange,
      routingKey,
      messageId: delivery.messageId ?? delivery.contentMessageId,
      type: delivery.eventType,
      body: delivery.message.content,
      contentType: delivery.message.properties.contentType as string | undefined,
      headers,
    });
  }

  /**
   * Moves a dead letter the ledger cannot take (not for an outage: for a failure that would repeat) to the parked
   * queue, as it is plus the reason, so that the dead-letter queue keeps moving and nothing is dropped.
   */
  async park(delivery: RmqDelivery, error: unknown): Promise<void> {
    await this.publisher.publish({
      exchange: '',
      routingKey: this.names.parkedDeadLetterQueue,
      messageId: delivery.messageId ?? delivery.contentMessageId,
      type: delivery.message.properties.type as string | undefined,
      body: delivery.message.content,
      contentType: delivery.message.properties.contentType as string | undefined,
      headers: {
        ...delivery.message.properties.headers,
        [LEDGER_ERROR_HEADER]: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
      },
    });
  }
}
