import { InvalidCursorError } from './users.errors';

/** Position after the last user of a page, in the list order `(createdAt, id)`. */
export interface UserCursor {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeUserCursor(cursor: UserCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

/** @throws InvalidCursorError when the string is not a cursor this service made */
export function decodeUserCursor(encoded: string): UserCursor {
  const [timestamp, id, ...rest] = Buffer.from(encoded, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(timestamp ?? '');
  if (rest.length > 0 || !id || !UUID.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new InvalidCursorError();
  }
  return { createdAt, id };
}
