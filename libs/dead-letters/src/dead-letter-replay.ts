import {
  ATTEMPT_HEADER,
  DEAD_LETTER_HEADERS,
  LEDGER_ERROR_HEADER,
  PUBLISH_ID_HEADER,
  RETRY_TIER_HEADER,
  TopologyNames,
} from '@app/messaging';
import type { NewOutboxMessage } from '@app/outbox';
import type { DeadLetter } from './dead-letter.entity';
import { DeadLetterNotReplayableError } from './dead-letters.errors';

/** Headers a replay adds: which message it replays, when, and the admin request that asked for it. */
export const REPLAY_HEADERS = {
  replayOf: 'x-replay-of',
  replayedAt: 'x-replayed-at',
  replayRequestId: 'x-replay-request-id',
} as const;

/** What the failure (and an earlier replay) added to the message; a replay starts afresh without them. */
const DROPPED_HEADERS = new Set<string>([
  ...Object.values(DEAD_LETTER_HEADERS),
  ...Object.values(REPLAY_HEADERS),
  ATTEMPT_HEADER,
  PUBLISH_ID_HEADER,
  RETRY_TIER_HEADER,
  LEDGER_ERROR_HEADER,
  'x-death',
  'x-delivery-count',
]);
const DROPPED_HEADER_PATTERN = /^x-(first-death|last-death|last-error)-/;

/** Why the dead letter cannot go through the outbox, or undefined when it can. */
export function whyNotReplayable(
  deadLetter: Pick<DeadLetter, 'payload' | 'type' | 'routingKey'>,
): string | undefined {
  if (deadLetter.payload === null || deadLetter.payload === undefined) return 'its body is not JSON';
  // The relay publishes every event with its routing key as its type; another type would be lost.
  if (deadLetter.type !== deadLetter.routingKey) {
    return `its type "${deadLetter.type}" differs from its routing key "${deadLetter.routingKey}"`;
  }
  return undefined;
}

/**
 * The outbox message that replays a dead letter: same routing key, payload and message id (so the consumer's
 * inbox skips it if it had been applied after all), and the original headers without the story of the failure,
 * which would make the replay look like a retry in its last attempt, or a dead letter already. Headers that are
 * not strings are dropped too (the outbox keeps string headers).
 * @throws DeadLetterNotReplayableError when the body is not JSON or the type differs from the routing key
 */
export function replayMessage(
  deadLetter: DeadLetter,
  names: TopologyNames,
  replayedAt: Date,
  requestId?: string,
): NewOutboxMessage & { messageId: string } {
  const reason = whyNotReplayable(deadLetter);
  if (reason) throw new DeadLetterNotReplayableError(deadLetter.messageId, reason);
  const kept = Object.entries(deadLetter.headers).filter(
    (entry): entry is [string, string] =>
      typeof entry[1] === 'string' &&
      !DROPPED_HEADERS.has(entry[0]) &&
      !DROPPED_HEADER_PATTERN.test(entry[0]),
  );
  return {
    messageId: deadLetter.messageId,
    // A step's message goes back to the worker's own exchange; anything else is an event.
    exchange: deadLetter.exchange === names.stepsExchange ? 'steps' : 'events',
    routingKey: deadLetter.routingKey,
    payload: deadLetter.payload,
    headers: {
      ...Object.fromEntries(kept),
      [REPLAY_HEADERS.replayOf]: deadLetter.messageId,
      [REPLAY_HEADERS.replayedAt]: replayedAt.toISOString(),
      ...(requestId ? { [REPLAY_HEADERS.replayRequestId]: requestId } : {}),
    },
  };
}
