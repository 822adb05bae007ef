import { ValidationError } from '@nestjs/common';
import type { FieldErrorDto } from './problem-details.dto';

/** A request that breaks the contract of its DTO; answered with 400 and one entry per broken rule. */
export class RequestValidationError extends Error {
  constructor(readonly fieldErrors: FieldErrorDto[]) {
    super(`${fieldErrors.length} invalid field(s)`);
    this.name = 'RequestValidationError';
  }

  static fromValidationErrors(errors: ValidationError[]): RequestValidationError {
    return new RequestValidationError(flatten(errors));
  }
}

function flatten(errors: ValidationError[], parent = ''): FieldErrorDto[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([code, message]) => ({
      field,
      code: code === 'whitelistValidation' ? 'unknownField' : code,
      message: code === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
