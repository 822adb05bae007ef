import { dictionary } from '@zxcvbn-ts/language-common';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
/** A local part shorter than this ("al") would forbid too many passwords to mean anything. */
const MIN_LOCAL_PART_TO_CHECK = 3;

/**
 * The most common passwords, most common first (zxcvbn-ts's list, drawn from leaked password sets and shipped
 * in the package, so nothing is fetched at run time), lower-cased. Loaded once, on first use.
 */
let commonPasswords: ReadonlySet<string> | undefined;
const common = (): ReadonlySet<string> =>
  (commonPasswords ??= new Set(dictionary['passwords-common'].map((password) => password.toLowerCase())));

/** How many passwords the common list holds (for messages and documentation). */
export const commonPasswordCount = (): number => common().size;

/**
 * The form a password is checked and hashed in: NFKC, so that the same password typed on two keyboards
 * (composed or decomposed accents, full-width digits) is the same password.
 */
export function normalizePassword(password: string): string {
  return /\p{Cs}/u.test(password) ? password : password.normalize('NFKC');
}

const codePoints = (text: string) => [...text].length;

const localPartOf = (email: unknown) =>
  typeof email === 'string' && email.includes('@') ? email.slice(0, email.lastIndexOf('@')) : '';

type PasswordRule = 'isLength' | 'passwordCharacters' | 'commonPassword' | 'containsEmail';

/** The first rule a normalised password breaks (given the normalised email of the same user), or undefined. */
export function passwordProblem(password: unknown, email?: unknown): PasswordRule | undefined {
  if (typeof password !== 'string') return 'isLength';
  if (/\p{Cs}/u.test(password)) return 'passwordCharacters';
  const length = codePoints(password);
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) return 'isLength';
  const lowered = password.toLowerCase();
  if (common().has(lowered)) return 'commonPassword';
  const localPart = localPartOf(email).toLowerCase();
  if (codePoints(localPart) >= MIN_LOCAL_PART_TO_CHECK && lowered.includes(localPart)) return 'containsEmail';
  return undefined;
}

// Messages name the rule and never the password.
const MESSAGES: Record<PasswordRule, string> = {
  isLength: `$property must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters (Unicode code points, after NFKC)`,
  passwordCharacters: '$property must be Unicode text (it has a lone surrogate)',
  commonPassword: '$property is one of the most common passwords; choose another',
  containsEmail: '$property must not contain the local part of the email address',
};

/**
 * The password rules, one code each (`isLength`, `passwordCharacters`, `commonPassword`, `containsEmail`); only
 * the first broken rule is reported. `emailProperty` names the sibling field holding the (normalised) email.
 */
export function IsAcceptablePassword(
  emailProperty = 'email',
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    for (const rule of Object.keys(MESSAGES) as PasswordRule[]) {
      registerDecorator({
        name: rule,
        target: target.constructor,
        propertyName: propertyName as string,
        options: { message: MESSAGES[rule], ...options },
        validator: {
          validate: (value: unknown, args: ValidationArguments) =>
            passwordProblem(value, (args.object as Record<string, unknown>)[emailProperty]) !== rule,
        },
      });
    }
  };
}
