import { ApiProblem } from '@app/http-problems';
import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

/** Set on a replayed answer (not in the draft; tells a client its retry changed nothing). */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Documents `Idempotency-Key` on a route: the optional header and the 400, 409 and 422 answers it adds. */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes a retry safe (draft-ietf-httpapi-idempotency-key-header): the same key with the same body ' +
        'within 24 h returns the first answer again, marked `Idempotent-Replayed: true`, without a second ' +
        'effect. A UUID per logical request, as a bare value or a Structured Field string (`"…"`).',
      schema: {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        example: '8e03978e-40d5-43e8-bc93-6894a57f9324',
      },
    }),
    ApiProblem(
      400,
      'INVALID_IDEMPOTENCY_KEY',
      'The Idempotency-Key header is not 1-255 visible ASCII characters',
    ),
    ApiProblem(
      409,
      'IDEMPOTENCY_KEY_IN_USE',
      'A request with this key is in progress; retry after `Retry-After`',
    ),
    ApiProblem(422, 'IDEMPOTENCY_KEY_REUSED', 'This key was used with another request body'),
  );
