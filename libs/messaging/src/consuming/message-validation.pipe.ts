import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidMessageError } from '../messaging.errors';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) => `${path}: ${text}`);
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/**
 * Validates a message payload against the handler parameter's class. An invalid payload is poison: it fails
 * with a permanent {@link InvalidMessageError} and is dead-lettered, never retried. Unknown extra fields are
 * tolerated (stripped) so that producers can add fields before consumers know them.
 */
export class MessageValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidUnknownValues: true,
      exceptionFactory: (errors) =>
        new InvalidMessageError('message payload is invalid', describe(errors), 'MESSAGE_SCHEMA_INVALID'),
    });
  }
}
