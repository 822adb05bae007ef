import { normalizePersonName, personNameProblem } from './person-name';

describe('person names', () => {
  it.each([
    ['  Ada ', 'Ada'],
    ['Zoe\u0308', 'Zoë'],
    ['محمد\u200cرضا', 'محمد\u200cرضا'],
  ])('when the name is %p, then it is stored as %p and is valid', (raw, stored) => {
    expect(normalizePersonName(raw)).toBe(stored);
    expect(personNameProblem(normalizePersonName(raw))).toBeUndefined();
  });

  it.each([
    ['a right-to-left override', 'Ada\u202eecalov'],
    ['a left-to-right isolate', '\u2066Ada'],
    ['a NUL', 'Ada\u0000'],
    ['a line separator', 'Ada\u2028Lovelace'],
    ['a zero-width space', 'A\u200bda'],
    ['a lone surrogate', 'Ada\udc00'],
  ])('when the name has %s, then the rule nameCharacters fails', (_case, raw) => {
    expect(personNameProblem(normalizePersonName(raw))).toBe('nameCharacters');
  });

  it('when the name is empty after trimming or over 100 characters, then the rule isLength fails', () => {
    expect(personNameProblem(normalizePersonName('   '))).toBe('isLength');
    expect(personNameProblem('x'.repeat(101))).toBe('isLength');
    expect(personNameProblem('😀'.repeat(100))).toBeUndefined();
  });
});
