import type { ReceivedDeadLetter } from '@app/messaging';
import { isUtf8 } from 'node:buffer';

/** Bodies above this are kept truncated (RabbitMQ 4 refuses messages over 16 MiB by default). */
export const MAX_STORED_BODY_BYTES = 16 * 1024 * 1024;

/**
 * A dead letter in a form PostgreSQL accepts: `text` and `jsonb` cannot hold a NUL character, `jsonb` no lone
 * UTF-16 surrogate either. The raw body is kept as bytes whatever it is; whatever had to be escaped, replaced or
 * left out is listed in `storageNotes`, and stored on the row, so an operator knows what they are looking at.
 */
export interface StorableDeadLetter {
  messageId: string;
  occurrenceId: string;
  type: string;
  exchange: string;
  routingKey: string;
  contentType: string | null;
  body: Buffer;
  /** The body parsed, as JSON text for a jsonb column, when it is UTF-8 JSON that jsonb can hold as it is. */
  payloadJson: string | null;
  /** The payload as a value (for the observers), or null. */
  payload: unknown;
  headersJson: string;
  errorCode: string;
  errorMessage: string;
  errorStack: string | null;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  deadLetteredBy: 'worker' | 'broker';
  requestId: string | null;
  queue: string | null;
  storageNotes: string[];
}

const hasLoneSurrogate = (text: string) => !text.isWellFormed();

/** The text with NUL escaped as the six characters `\u0000` and lone surrogates replaced by U+FFFD. */
function storableText(text: string, field: string, notes: string[]): string {
  let result = text;
  if (result.includes('\u0000')) {
    result = result.replaceAll('\u0000', '\\u0000');
    notes.push(`${field}: NUL characters escaped as \\u0000`);
  }
  if (hasLoneSurrogate(result)) {
    result = result.toWellFormed();
    notes.push(`${field}: lone UTF-16 surrogates replaced by U+FFFD`);
  }
  return result;
}

/** A header value (or table) made storable in jsonb; byte arrays as `{ "$base64": … }`. */
function storableValue(value: unknown, path: string, notes: string[]): unknown {
  if (typeof value === 'string') return storableText(value, path, notes);
  if (Buffer.isBuffer(value)) return { $base64: value.toString('base64') };
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value))
    return value.map((item, index) => storableValue(item, `${path}[${index}]`, notes));
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        storableText(key, `${path} (a key)`, notes),
        storableValue(item, `${path}.${key}`, notes),
      ]),
    );
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/** Whether every string (keys included) in a parsed JSON value can go into jsonb as it is. */
function jsonbCanHold(value: unknown): boolean {
  if (typeof value === 'string') return !value.includes('\u0000') && !hasLoneSurrogate(value);
  if (Array.isArray(value)) return value.every(jsonbCanHold);
  if (value && typeof value === 'object') {
    return Object.entries(value).every(([key, item]) => jsonbCanHold(key) && jsonbCanHold(item));
  }
  return true;
}

function parsePayload(body: Buffer, notes: string[]): { payload: unknown; payloadJson: string | null } {
  const none = { payload: null, payloadJson: null };
  if (!isUtf8(body)) {
    notes.push('body: not valid UTF-8; kept as bytes, not parsed (so it cannot be replayed)');
    return none;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return none; // not JSON: nothing to note, the error code says so
  }
  if (payload === null) return none;
  if (!jsonbCanHold(payload)) {
    notes.push('payload: holds NUL or lone surrogates, which jsonb cannot store; kept only as the raw body');
    return none;
  }
  return { payload, payloadJson: JSON.stringify(payload) };
}

/** See {@link StorableDeadLetter}. */
export function toStorableDeadLetter(deadLetter: ReceivedDeadLetter): StorableDeadLetter {
  const notes: string[] = [];
  const text = (value: string, field: string) => storableText(value, field, notes);
  let body = deadLetter.body;
  if (body.length > MAX_STORED_BODY_BYTES) {
    notes.push(`body: ${body.length} bytes, truncated to the first ${MAX_STORED_BODY_BYTES}`);
    body = body.subarray(0, MAX_STORED_BODY_BYTES);
  }
  const { payload, payloadJson } =
    body.length === deadLetter.body.length ? parsePayload(body, notes) : { payload: null, payloadJson: null };
  return {
    messageId: text(deadLetter.messageId, 'messageId'),
    occurrenceId: deadLetter.occurrenceId,
    type: text(deadLetter.type, 'type'),
    exchange: text(deadLetter.exchange, 'exchange'),
    routingKey: text(deadLetter.routingKey, 'routingKey'),
    contentType: deadLetter.contentType === undefined ? null : text(deadLetter.contentType, 'contentType'),
    body,
    payload,
    payloadJson,
    headersJson: JSON.stringify(storableValue(deadLetter.headers, 'headers', notes)),
    errorCode: text(deadLetter.errorCode, 'errorCode'),
    errorMessage: text(deadLetter.errorMessage, 'errorMessage'),
    errorStack: deadLetter.errorStack === undefined ? null : text(deadLetter.errorStack, 'errorStack'),
    attempts: Number.isSafeInteger(deadLetter.attempts) ? deadLetter.attempts : 0,
    firstFailedAt: deadLetter.firstFailedAt,
    lastFailedAt: deadLetter.lastFailedAt,
    deadLetteredBy: deadLetter.deadLetteredBy,
    requestId: deadLetter.requestId === undefined ? null : text(deadLetter.requestId, 'requestId'),
    queue: deadLetter.queue === undefined ? null : text(deadLetter.queue, 'queue'),
    storageNotes: notes,
  };
}

/**
 * The last resort when PostgreSQL refused even the storable form (a bug, or a limit nobody foresaw): the ids,
 * the reason and the raw body, nothing parsed, and why on the row.
 */
export function minimalDeadLetter(deadLetter: StorableDeadLetter, refusal: unknown): StorableDeadLetter {
  const reason = refusal instanceof Error ? refusal.message : String(refusal);
  return {
    ...deadLetter,
    payload: null,
    payloadJson: null,
    headersJson: '{}',
    errorStack: null,
    storageNotes: [
      ...deadLetter.storageNotes,
      `stored without headers, payload and stack: PostgreSQL refused the full row (${reason.slice(0, 500)})`,
    ],
  };
}
