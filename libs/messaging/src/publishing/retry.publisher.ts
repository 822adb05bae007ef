import type { RmqDelivery } from '../consuming/rmq-delivery';
import { RETRY_TIER_HEADER, retryTierValue, TopologyNames } from '../topology/topology-names';
import { ConfirmPublisher } from './confirm.publisher';
import { ATTEMPT_HEADER, DEAD_LETTER_HEADERS, failureHeaders } from './failure-headers';

/**
 * Parks a failed message in a retry tier: published to the retry exchange, which routes it by its `retry-tier`
 * header, under the name of the queue it came from as routing key. When its time is up the tier dead-letters it
 * through the default exchange under that routing key: back to that queue alone. The wait is held by the broker
 * (it survives a worker crash), and other subscribers of the original event never see the retry. Resolves once
 * the broker has confirmed.
 */
export class RetryPublisher {
  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly names: TopologyNames,
  ) {}

  async publish(
    delivery: RmqDelivery,
    error: unknown,
    failedAttempt: number,
    tierDelayMs: number,
    expirationMs: number,
  ): Promise<void> {
    const {
      [DEAD_LETTER_HEADERS.errorCode]: lastErrorCode,
      [DEAD_LETTER_HEADERS.errorMessage]: lastErrorMessage,
      [DEAD_LETTER_HEADERS.errorStack]: _stack,
      [DEAD_LETTER_HEADERS.attempts]: _attempts,
      ...headers
    } = failureHeaders(delivery.message, error, failedAttempt);
    await this.publisher.publish({
      exchange: this.names.retryExchange,
      routingKey: delivery.queue.name,
      messageId: delivery.messageId ?? delivery.contentMessageId,
      type: delivery.eventType,
      body: delivery.message.content,
      contentType: delivery.message.properties.contentType as string | undefined,
      expirationMs,
      // Not dead yet: the error travels under "last error" names, so it is not mistaken for a dead letter's.
      headers: {
        ...headers,
        [ATTEMPT_HEADER]: failedAttempt,
        [RETRY_TIER_HEADER]: retryTierValue(tierDelayMs),
        'x-last-error-code': lastErrorCode,
        'x-last-error-message': lastErrorMessage,
      },
    });
  }
}
