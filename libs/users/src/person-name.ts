import { registerDecorator, ValidationOptions } from 'class-validator';

export const PERSON_NAME_MAX_LENGTH = 100;

// Control characters, lone surrogates, line and paragraph separators, bidi controls (an override can make
// "Ada" display as something else), and the invisible zero-width space, word joiner and BOM. Zero-width
// (non-)joiners stay: Persian and Indic names, and emoji sequences, need them.
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\p{Bidi_Control}\u200B\u2060\uFEFF]/u;

/** The stored form of a name: NFC (composed accents, as people type them) and trimmed. */
export function normalizePersonName(name: string): string {
  return /\p{Cs}/u.test(name) ? name : name.normalize('NFC').trim();
}

type NameRule = 'isLength' | 'nameCharacters';

/** The first rule a normalised name breaks, or undefined. */
export function personNameProblem(name: unknown): NameRule | undefined {
  if (typeof name !== 'string') return 'isLength';
  if (FORBIDDEN_IN_NAME.test(name)) return 'nameCharacters';
  const length = [...name].length;
  return length < 1 || length > PERSON_NAME_MAX_LENGTH ? 'isLength' : undefined;
}

const MESSAGES: Record<NameRule, string> = {
  isLength: `$property must be 1 to ${PERSON_NAME_MAX_LENGTH} characters after trimming`,
  nameCharacters: '$property must not contain control, bidi or invisible characters',
};

/** The name rules, one code each (`isLength`, `nameCharacters`); only the first broken rule is reported. */
export function IsPersonName(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    for (const rule of Object.keys(MESSAGES) as NameRule[]) {
      registerDecorator({
        name: rule,
        target: target.constructor,
        propertyName: propertyName as string,
        options: { message: MESSAGES[rule], ...options },
        validator: { validate: (value: unknown) => personNameProblem(value) !== rule },
      });
    }
  };
}
