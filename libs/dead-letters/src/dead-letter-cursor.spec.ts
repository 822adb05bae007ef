import { decodeDeadLetterCursor, encodeDeadLetterCursor } from './dead-letter-cursor';
import { InvalidDeadLetterCursorError } from './dead-letters.errors';

describe('dead-letter cursor', () => {
  it.each(['5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d', 'sha256:ab12', 'id|with|pipes and "quotes"/and/slashes'])(
    'when the cursor of message id %p is encoded, then decoding gives back the same position to the millisecond',
    (messageId) => {
      const position = { deadLetteredAt: new Date('2026-11-24T10:00:00.123Z'), messageId };

      expect(decodeDeadLetterCursor(encodeDeadLetterCursor(position))).toEqual(position);
    },
  );

  it.each([
    ['empty', ''],
    ['not base64 JSON', 'not-a-cursor'],
    ['a JSON object', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad date', Buffer.from('["yesterday","id"]').toString('base64url')],
    ['an empty id', Buffer.from('["2026-11-24T10:00:00.000Z",""]').toString('base64url')],
    ['a numeric id', Buffer.from('["2026-11-24T10:00:00.000Z",42]').toString('base64url')],
    ['three parts', Buffer.from('["2026-11-24T10:00:00.000Z","id","x"]').toString('base64url')],
  ])('when the cursor is %s, then decoding fails with INVALID_CURSOR', (_case, cursor) => {
    expect(() => decodeDeadLetterCursor(cursor)).toThrow(InvalidDeadLetterCursorError);
  });
});
