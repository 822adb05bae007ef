import {
  EMAIL_MAX_OCTETS,
  IsAcceptablePassword,
  IsEmailAddress,
  IsPersonName,
  normalizeEmailAddress,
  normalizePassword,
  normalizePersonName,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PERSON_NAME_MAX_LENGTH,
} from '@app/users';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString } from 'class-validator';

/** Applies a normaliser to strings only; anything else reaches the validators as it came (and fails). */
const normalized =
  (normalize: (value: string) => string) =>
  ({ value }: { value: unknown }): unknown =>
    typeof value === 'string' ? normalize(value) : value;

/**
 * The registration body. Each field is normalised before it is validated, and validated in the form it is
 * stored (and, for the password, hashed) in; see libs/users for the rules and their codes.
 */
export class RegisterUserDto {
  @ApiProperty({
    example: 'ada@example.com',
    maxLength: EMAIL_MAX_OCTETS,
    description:
      'Stored in NFKC, trimmed and lower-cased, with an internationalised domain in its A-label (punycode) ' +
      'form; unique regardless of case. At most 254 octets, 64 before the @ (RFC 5321). No control, bidi, ' +
      'zero-width or space characters. Codes: `isEmail`, `emailCharacters`, `emailLength`.',
  })
  @Transform(normalized(normalizeEmailAddress))
  @IsString()
  @IsEmailAddress()
  email!: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    format: 'password',
    writeOnly: true,
    description:
      `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters (Unicode code points after NFKC ` +
      'normalisation), not one of the ~49,000 most common passwords, and not containing the part of the email ' +
      'before the @. Codes: `isLength`, `commonPassword`, `containsEmail`, `passwordCharacters`. Stored only as ' +
      'an argon2id hash of its NFKC form; never echoed in errors.',
  })
  @Transform(normalized(normalizePassword))
  @IsString()
  @IsAcceptablePassword('email')
  password!: string;

  @ApiProperty({
    example: 'Ada',
    minLength: 1,
    maxLength: PERSON_NAME_MAX_LENGTH,
    description:
      'NFC, trimmed; no control, bidi or invisible characters. Codes: `isLength`, `nameCharacters`.',
  })
  @Transform(normalized(normalizePersonName))
  @IsString()
  @IsPersonName()
  firstName!: string;

  @ApiProperty({
    example: 'Lovelace',
    minLength: 1,
    maxLength: PERSON_NAME_MAX_LENGTH,
    description:
      'NFC, trimmed; no control, bidi or invisible characters. Codes: `isLength`, `nameCharacters`.',
  })
  @Transform(normalized(normalizePersonName))
  @IsString()
  @IsPersonName()
  lastName!: string;
}
