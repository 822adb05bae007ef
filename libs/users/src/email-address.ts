import { isEmail, registerDecorator, ValidationOptions } from 'class-validator';
import { domainToASCII } from 'node:url';

/** RFC 5321 section 4.5.3.1: 64 octets of local part, 254 of address (the 256 of a path less its brackets). */
export const EMAIL_LOCAL_PART_MAX_OCTETS = 64;
export const EMAIL_MAX_OCTETS = 254;

// Control, format (bidi overrides, zero-width characters, BOM), separators, surrogates, private-use and
// unassigned code points, and any white space: invisible or reordering characters make two addresses look
// alike, and none belongs in a deliverable address.
const FORBIDDEN_IN_EMAIL = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}\s]/u;

const octets = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * The stored form of an email address: NFKC, trimmed, lower-cased, the domain in its IDNA A-label form
 * (`bücher.de` → `xn--bcher-kva.de`, by Node's `url.domainToASCII`). Never throws: something that is no
 * address comes back as it is, for `emailAddressProblem` to name.
 */
export function normalizeEmailAddress(raw: string): string {
  if (/\p{Cs}/u.test(raw)) return raw;
  const text = raw.normalize('NFKC').trim().toLowerCase();
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return text;
  const domain = text.slice(at + 1);
  const ascii = domainToASCII(domain);
  return ascii ? `${text.slice(0, at)}@${ascii}` : text;
}

/** The rule a normalised address breaks, or undefined. */
export function emailAddressProblem(
  email: unknown,
): 'emailCharacters' | 'emailLength' | 'isEmail' | undefined {
  if (typeof email !== 'string') return 'isEmail';
  if (FORBIDDEN_IN_EMAIL.test(email)) return 'emailCharacters';
  const at = email.lastIndexOf('@');
  if (
    octets(email) > EMAIL_MAX_OCTETS ||
    (at > 0 && octets(email.slice(0, at)) > EMAIL_LOCAL_PART_MAX_OCTETS)
  ) {
    return 'emailLength';
  }
  const valid = isEmail(email, {
    allow_utf8_local_part: true,
    require_tld: true,
    allow_ip_domain: false,
    allow_display_name: false,
  });
  return valid ? undefined : 'isEmail';
}

const MESSAGES = {
  emailCharacters: '$property must not contain control, format (bidi, zero-width) or space characters',
  emailLength: `$property must be at most ${EMAIL_MAX_OCTETS} octets, its local part at most ${EMAIL_LOCAL_PART_MAX_OCTETS}`,
  isEmail: '$property must be an email address',
} as const;

/**
 * class-validator rules of an address that went through `normalizeEmailAddress`, one code each: `isEmail`
 * (not an address), `emailCharacters`, `emailLength`. Only the first broken rule is reported.
 */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    for (const rule of Object.keys(MESSAGES) as (keyof typeof MESSAGES)[]) {
      registerDecorator({
        name: rule,
        target: target.constructor,
        propertyName: propertyName as string,
        options: { message: MESSAGES[rule], ...options },
        validator: { validate: (value: unknown) => emailAddressProblem(value) !== rule },
      });
    }
  };
}
