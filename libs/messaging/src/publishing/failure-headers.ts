import { failureCode } from '@app/errors';
import type { ConsumeMessage } from 'amqplib';

/** Header counting the failed attempts a message has had (absent on the first delivery). */
export const ATTEMPT_HEADER = 'x-attempt';

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
  /** The queue (hence the handler, the onboarding step) it failed in. */
  failedQueue: 'x-failed-queue',
} as const;

/** 1 on the first delivery; n+1 after n failed attempts (counted in a header by the retry path). */
export function attemptOf(message: Pick<ConsumeMessage, 'properties'>): number {
  const failed = Number(message.properties.headers?.[ATTEMPT_HEADER] ?? 0);
  return Number.isInteger(failed) && failed >= 0 ? failed + 1 : 1;
}

/** The routing key a message was first published with (a retry reroutes it through the tiers). */
export function originalRoutingKey(message: Pick<ConsumeMessage, 'properties' | 'fields'>): string {
  const original: unknown = message.properties.headers?.[DEAD_LETTER_HEADERS.originalRoutingKey];
  return typeof original === 'string' ? original : message.fields.routingKey;
}

/**
 * The message's headers plus the story of its failure: error code, message and stack (truncated), attempts,
 * first and last failure times, and where it was originally published. The broker's own `x-death` history
 * describes hops through queues, not this failure, and is left out.
 */
export function failureHeaders(
  message: Pick<ConsumeMessage, 'properties' | 'fields'>,
  error: unknown,
  attempts: number,
): Record<string, unknown> {
  const now = new Date().toISOString();
  const headers: Record<string, unknown> = Object.fromEntries(
    Object.entries(message.properties.headers ?? {}).filter(([name]) => name !== 'x-death'),
  );
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
      headers[DEAD_LETTER_HEADERS.originalExchange] ?? message.fields.exchange,
    [DEAD_LETTER_HEADERS.originalRoutingKey]: originalRoutingKey(message),
  };
}
