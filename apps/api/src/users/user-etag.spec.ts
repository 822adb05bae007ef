import { ifNoneMatchHits, parseIfMatch, userEtag } from './user-etag';

describe('user ETags', () => {
  it('when a version is formatted, then it is a strong entity tag', () => {
    expect(userEtag(7)).toBe('"7"');
  });

  it.each([
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['*', 'any'],
    ['"7"', [7]],
    [' "7" , "9"', [7, 9]],
    ['W/"7"', []],
    ['7', []],
    ['"abc"', []],
    ['"7", W/"8", junk', [7]],
  ])('when If-Match is %p, then it accepts %p', (header, expected) => {
    expect(parseIfMatch(header)).toEqual(expected);
  });

  it.each([
    [undefined, false],
    ['', false],
    ['*', true],
    ['"3"', true],
    ['W/"3"', true],
    ['"2", "3"', true],
    ['"2"', false],
    ['"33"', false],
  ])('when If-None-Match is %p and the version is 3, then it hits: %p', (header, expected) => {
    expect(ifNoneMatchHits(header, 3)).toBe(expected);
  });
});
