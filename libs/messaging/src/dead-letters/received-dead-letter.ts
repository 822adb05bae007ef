import type { ConsumeMessage } from 'amqplib';
import { createHash } from 'node:crypto';
import { contentMessageId } from '../consuming/rmq-delivery';
import { PUBLISH_ID_HEADER } from '../publishing/confirm.publisher';
import { DEAD_LETTER_HEADERS } from '../publishing/failure-headers';

/** Pattern under which the dead-letter queue's messages reach their handler (`@EventPattern`). */
export const DEAD_LETTER_PATTERN = '$dead-letter';

/**
 * A message taken from the dead-letter queue, with the reason it got there, whoever put it there: the worker
 * (after a permanent failure or the last retry; reason in `x-error-*` headers) or the broker itself (message
 * TTL expired, delivery limit reached, rejected; reason in `x-death`).
 */
export interface ReceivedDeadLetter {
  /** The original message id; for a message that had none, a stable hash of its content. */
  messageId: string;
  /**
   * This dead-lettering, as opposed to the message: the same for every redelivery of this dead letter from the
   * dead-letter queue, different when the message is dead-lettered again (after a replay, say). Derived from the
   * id of the publish that made the dead letter (or, for the broker's, of the message's last publish and the
   * broker's death record), never from a clock of the producer.
   */
  occurrenceId: string;
  /** Event type (the `type` property, else the original routing key). */
  type: string;
  exchange: string;
  routingKey: string;
  contentType?: string;
  body: Buffer;
  /** The message's own headers, without the broker's `x-death` history. */
  headers: Record<string, unknown>;
  errorCode: string;
  errorMessage: string;
  errorStack?: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  requestId?: string;
  deadLetteredBy: 'worker' | 'broker';
  /** The queue it failed in (the worker says so; for the broker's, the queue of its death record). */
  queue?: string;
}

interface XDeath {
  reason?: string;
  queue?: string;
  time?: { value?: number } | Date | number;
  exchange?: string;
  'routing-keys'?: string[];
  count?: number;
}

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;

const asDate = (value: unknown): Date | undefined => {
  const raw = typeof value === 'object' && value !== null && 'value' in value ? value.value : value;
  const date =
    raw instanceof Date
      ? raw
      : typeof raw === 'number'
        ? new Date(raw * 1000)
        : typeof raw === 'string'
          ? new Date(raw)
          : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
};

/** Reads what the ledger needs from a message of the dead-letter queue. */
export function readDeadLetter(message: ConsumeMessage, receivedAt = new Date()): ReceivedDeadLetter {
  const { 'x-death': deaths, ...headers } = (message.properties.headers ?? {}) as Record<string, unknown>;
  const death = Array.isArray(deaths) ? (deaths[0] as XDeath | undefined) : undefined;
  const byWorker = typeof headers[DEAD_LETTER_HEADERS.errorCode] === 'string';
  const routingKey =
    asString(headers[DEAD_LETTER_HEADERS.originalRoutingKey]) ??
    death?.['routing-keys']?.[0] ??
    message.fields.routingKey;
  const brokerReason = death?.reason ?? 'unknown';
  const deathTime = asDate(death?.time) ?? receivedAt;
  const messageId = asString(message.properties.messageId) || contentMessageId(routingKey, message.content);
  return {
    messageId,
    occurrenceId: occurrenceIdOf(message, headers, byWorker, death),
    type: asString(message.properties.type) || routingKey,
    exchange:
      asString(headers[DEAD_LETTER_HEADERS.originalExchange]) ?? death?.exchange ?? message.fields.exchange,
    routingKey,
    contentType: asString(message.properties.contentType),
    body: message.content,
    headers,
    errorCode: byWorker ? String(headers[DEAD_LETTER_HEADERS.errorCode]) : brokerReason.toUpperCase(),
    errorMessage: byWorker
      ? (asString(headers[DEAD_LETTER_HEADERS.errorMessage]) ?? '')
      : `dead-lettered by the broker from ${death?.queue ?? 'a queue'}: ${brokerReason}`,
    errorStack: byWorker ? asString(headers[DEAD_LETTER_HEADERS.errorStack]) : undefined,
    attempts: byWorker
      ? Number(headers[DEAD_LETTER_HEADERS.attempts] ?? 1)
      : Number(headers['x-delivery-count'] ?? death?.count ?? 1),
    firstFailedAt: asDate(headers[DEAD_LETTER_HEADERS.firstFailureAt]) ?? deathTime,
    lastFailedAt: asDate(headers[DEAD_LETTER_HEADERS.lastFailureAt]) ?? deathTime,
    requestId: asString(headers['x-request-id']),
    deadLetteredBy: byWorker ? 'worker' : 'broker',
    queue: asString(headers[DEAD_LETTER_HEADERS.failedQueue]) ?? death?.queue,
  };
}

/** See {@link ReceivedDeadLetter.occurrenceId}. */
function occurrenceIdOf(
  message: ConsumeMessage,
  headers: Record<string, unknown>,
  byWorker: boolean,
  death: XDeath | undefined,
): string {
  const publishId = asString(headers[PUBLISH_ID_HEADER]);
  const deathRecord = byWorker ? '' : JSON.stringify([death?.queue, death?.reason, death?.count ?? null]);
  const identity = publishId
    ? [byWorker ? 'worker' : 'broker', publishId, deathRecord]
    : // A producer of ours always sets a publish id; for anyone else's message, all there is to go by.
      [
        'foreign',
        asString(message.properties.messageId) ?? '',
        createHash('sha256').update(message.content).digest('hex'),
        deathRecord,
        JSON.stringify(death?.time ?? null),
        asString(headers[DEAD_LETTER_HEADERS.lastFailureAt]) ?? '',
      ];
  return createHash('sha256').update(identity.join('\n')).digest('hex');
}
