import { decodeUserCursor, encodeUserCursor } from './user-cursor';
import { InvalidCursorError } from './users.errors';

describe('user cursor', () => {
  it('when a cursor is encoded, then decoding gives back the same position to the millisecond', () => {
    const position = {
      createdAt: new Date('2026-11-24T10:00:00.123Z'),
      id: '7d9f1c52-8c7e-4c43-9a43-3f3b3c1f1a01',
    };

    expect(decodeUserCursor(encodeUserCursor(position))).toEqual(position);
  });

  it.each(['', 'not-a-cursor', Buffer.from('2026-11-24T10:00:00Z|not-a-uuid').toString('base64url')])(
    'when the cursor is %p, then decoding fails with INVALID_CURSOR',
    (cursor) => {
      expect(() => decodeUserCursor(cursor)).toThrow(InvalidCursorError);
    },
  );
});
