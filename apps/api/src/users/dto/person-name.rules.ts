import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

/**
 * The rules of a person's name field, as at registration: a string of 1 to 100 characters after trimming, no
 * control characters. Null or another type fails `isString`.
 */
export function IsPersonName(field: string): PropertyDecorator {
  return applyDecorators(
    Transform(trim),
    IsString(),
    Length(1, 100),
    Matches(NO_CONTROL_CHARACTERS, { message: `${field} must not contain control characters` }),
  );
}
