import { failureCode } from '@app/errors';
import { ConfirmPublisher } from './confirm.publisher';
import { contentMessageId, RmqDelivery } from './rmq-delivery';
import { TopologyNames } from './topology';

/** Headers a dead letter carries, so that an operator (and the ledger) can tell what happened. */
export const DEAD_LETTER_HEADERS = {
  errorCode: 'x-error-code',
  errorMessage: 'x-error-message',
  errorStack: 'x-error-stack',
  attempts: 'x-attempts',
  firstFailureAt: 'x-first-failure-at',
  lastFailureAt: 'x-last-failure-at',
  originalExchange: 'x-original-exchange',
  originalRoutingKey: 'x-original-routing-key',
} as const;

/**
 * The message's headers plus the story of its failure: error code, message and stack (truncated), attempts,
 * first and last failure times, and where it was originally published. The broker's own `x-death` history
 * describes hops through queues, not this failure, and is left out.
 */
export function failureHeaders(
  delivery: RmqDelivery,
  error: unknown,
  attempts: number,
): Record<string, unknown> {
  const now = new Date().toISOString();
  const headers = Object.fromEntries(Object.entries(delivery.headers).filter(([name]) => name !== 'x-death'));
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    ...headers,
    [DEAD_LETTER_HEADERS.errorCode]: failureCode(error),
    [DEAD_LETTER_HEADERS.errorMessage]: err.message.slice(0, 1000),
    [DEAD_LETTER_HEADERS.errorStack]: (err.stack ?? '').slice(0, 2000),
    [DEAD_LETTER_HEADERS.attempts]: attempts,
    [DEAD_LETTER_HEADERS.firstFailureAt]: headers[DEAD_LETTER_HEADERS.firstFailureAt] ?? now,
    [DEAD_LETTER_HEADERS.lastFailureAt]: now,
    [DEAD_LETTER_HEADERS.originalExchange]:
      headers[DEAD_LETTER_HEADERS.originalExchange] ?? delivery.message.fields.exchange,
    [DEAD_LETTER_HEADERS.originalRoutingKey]:
      headers[DEAD_LETTER_HEADERS.originalRoutingKey] ?? delivery.message.fields.routingKey,
  };
}

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
    const headers = failureHeaders(delivery, error, attempts);
    const routingKey = String(headers[DEAD_LETTER_HEADERS.originalRoutingKey]);
    await this.publisher.publish({
      exchange: this.names.deadLetterExchange,
      routingKey,
      messageId: delivery.messageId ?? contentMessageId(routingKey, delivery.message.content),
      type: delivery.eventType,
      body: delivery.message.content,
      contentType: delivery.message.properties.contentType as string | undefined,
      headers,
    });
  }
}
