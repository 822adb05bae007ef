import { ValidationPipe } from '@nestjs/common';
import { RequestValidationError } from './request-validation.error';

/**
 * The API's validation of every body, query and path DTO: transform to the DTO (applying its normalisers),
 * reject unknown fields, and fail with RequestValidationError (400 VALIDATION_FAILED listing each broken rule).
 * The OpenAPI examples of VALIDATION_FAILED are produced by this same pipe.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => RequestValidationError.fromValidationErrors(errors),
  });
}
