import type { ValidationError } from '@nestjs/common';
import { RequestValidationError } from './request-validation.error';

const violation = (
  property: string,
  constraints?: Record<string, string>,
  children: ValidationError[] = [],
): ValidationError => ({ property, constraints, children });

describe('RequestValidationError.fromValidationErrors', () => {
  it('when top-level fields break rules, then there is one field error per broken rule', () => {
    const errors = [
      violation('email', { isEmail: 'email must be an email', maxLength: 'email is too long' }),
      violation('name', { isNotEmpty: 'name should not be empty' }),
    ];

    const { fieldErrors } = RequestValidationError.fromValidationErrors(errors);

    expect(fieldErrors).toEqual([
      { field: 'email', code: 'isEmail', message: 'email must be an email' },
      { field: 'email', code: 'maxLength', message: 'email is too long' },
      { field: 'name', code: 'isNotEmpty', message: 'name should not be empty' },
    ]);
  });

  it('when nested objects and array items break rules, then their fields are dotted paths from the root', () => {
    const errors = [
      violation('profile', undefined, [
        violation('address', undefined, [violation('zip', { matches: 'zip must match /^[0-9]{5}$/' })]),
      ]),
      violation('tags', undefined, [violation('0', undefined, [violation('label', { isString: 'bad' })])]),
    ];

    const { fieldErrors } = RequestValidationError.fromValidationErrors(errors);

    expect(fieldErrors).toEqual([
      { field: 'profile.address.zip', code: 'matches', message: 'zip must match /^[0-9]{5}$/' },
      { field: 'tags.0.label', code: 'isString', message: 'bad' },
    ]);
  });

  it('when a field is not in the DTO, then its code is unknownField and its message names the full path', () => {
    const errors = [
      violation('isAdmin', { whitelistValidation: 'property isAdmin should not exist' }),
      violation('profile', undefined, [
        violation('role', { whitelistValidation: 'property role should not exist' }),
      ]),
    ];

    const { fieldErrors } = RequestValidationError.fromValidationErrors(errors);

    expect(fieldErrors).toEqual([
      { field: 'isAdmin', code: 'unknownField', message: 'isAdmin is not a known field' },
      { field: 'profile.role', code: 'unknownField', message: 'profile.role is not a known field' },
    ]);
  });

  it('when a field has both its own violations and broken children, then both are reported, its own first', () => {
    const errors = [
      violation('address', { isObject: 'address must be an object' }, [
        violation('city', { isNotEmpty: 'city should not be empty' }),
      ]),
    ];

    const { fieldErrors } = RequestValidationError.fromValidationErrors(errors);

    expect(fieldErrors.map(({ field, code }) => `${field}:${code}`)).toEqual([
      'address:isObject',
      'address.city:isNotEmpty',
    ]);
  });

  it('when there are no validation errors, then the error lists no field errors', () => {
    const error = RequestValidationError.fromValidationErrors([]);

    expect(error.fieldErrors).toEqual([]);
    expect(error).toBeInstanceOf(RequestValidationError);
  });
});
