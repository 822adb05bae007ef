import { requestIdFrom } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it.each(['req-42', 'a', 'svc:checkout@eu-1.node_7', 'x'.repeat(128)])(
    'when the candidate is the acceptable id %p, then it is kept',
    (candidate) => {
      const id = requestIdFrom(candidate);

      expect(id).toBe(candidate);
    },
  );

  it('when the header arrived several times (an array), then the first value is taken', () => {
    const id = requestIdFrom(['first-id', 'second-id']);

    expect(id).toBe('first-id');
  });

  it('when the first of several values is not acceptable, then a new UUID replaces it', () => {
    const id = requestIdFrom(['has space', 'second-id']);

    expect(id).toMatch(UUID);
  });

  it.each([
    ['too long', 'x'.repeat(129)],
    ['with a space', 'req 42'],
    ['with a newline', 'req-42\n{"level":"fatal"}'],
    ['empty', ''],
    ['a number', 42],
    ['undefined', undefined],
    ['an empty array', []],
    ['an object', { id: 'req-42' }],
  ])('when the candidate is %s, then a new UUID replaces it', (_case, candidate) => {
    const id = requestIdFrom(candidate);

    expect(id).toMatch(UUID);
  });

  it('when two requests bring no id, then each gets its own', () => {
    const ids = [requestIdFrom(undefined), requestIdFrom(undefined)];

    expect(ids[0]).not.toBe(ids[1]);
  });
});
