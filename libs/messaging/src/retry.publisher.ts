import { ConfirmPublisher } from './confirm.publisher';
import { DEAD_LETTER_HEADERS, failureHeaders } from './dead-letter.publisher';
import { contentMessageId, RmqDelivery } from './rmq-delivery';

/** Header counting the attempts a message has had (absent on the first delivery). */
export const ATTEMPT_HEADER = 'x-attempt';

/**
 * Parks a failed message in a retry-tier queue (published straight to it through the default exchange). The tier
 * dead-letters it back to the consumer's own queue when its TTL runs out, so the wait survives a worker crash,
 * and other subscribers of the original event never see the retry. Resolves once the broker has confirmed.
 */
export class RetryPublisher {
  constructor(private readonly publisher: ConfirmPublisher) {}

  async publish(
    delivery: RmqDelivery,
    error: unknown,
    failedAttempt: number,
    tierQueue: string,
    expirationMs: number,
  ): Promise<void> {
    const {
      [DEAD_LETTER_HEADERS.errorCode]: lastErrorCode,
      [DEAD_LETTER_HEADERS.errorMessage]: lastErrorMessage,
      [DEAD_LETTER_HEADERS.errorStack]: _stack,
      [DEAD_LETTER_HEADERS.attempts]: _attempts,
      ...headers
    } = failureHeaders(delivery, error, failedAttempt);
    await this.publisher.publish({
      exchange: '',
      routingKey: tierQueue,
      messageId:
        delivery.messageId ??
        contentMessageId(String(headers[DEAD_LETTER_HEADERS.originalRoutingKey]), delivery.message.content),
      type: delivery.eventType,
      body: delivery.message.content,
      contentType: delivery.message.properties.contentType as string | undefined,
      expirationMs,
      // Not dead yet: the error travels under "last error" names, so it is not mistaken for a dead letter's.
      headers: {
        ...headers,
        [ATTEMPT_HEADER]: failedAttempt,
        'x-last-error-code': lastErrorCode,
        'x-last-error-message': lastErrorMessage,
      },
    });
  }
}
