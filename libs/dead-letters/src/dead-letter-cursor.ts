import { InvalidDeadLetterCursorError } from './dead-letters.errors';

/** Position after the last dead letter of a page, in the list order `(deadLetteredAt, messageId)`. */
export interface DeadLetterCursor {
  deadLetteredAt: Date;
  messageId: string;
}

// A message id is any string (even one with separators in it), so the pair is encoded as JSON.
export function encodeDeadLetterCursor(cursor: DeadLetterCursor): string {
  return Buffer.from(
    JSON.stringify([cursor.deadLetteredAt.toISOString(), cursor.messageId]),
    'utf8',
  ).toString('base64url');
}

/** @throws InvalidDeadLetterCursorError when the string is not a cursor this service made */
export function decodeDeadLetterCursor(encoded: string): DeadLetterCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidDeadLetterCursorError();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw new InvalidDeadLetterCursorError();
  const [timestamp, messageId] = decoded as unknown[];
  const deadLetteredAt = typeof timestamp === 'string' ? new Date(timestamp) : new Date(NaN);
  if (typeof messageId !== 'string' || messageId === '' || Number.isNaN(deadLetteredAt.getTime())) {
    throw new InvalidDeadLetterCursorError();
  }
  return { deadLetteredAt, messageId };
}
