import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { InvalidIdempotencyKeyError } from './idempotency.errors';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The key of an `Idempotency-Key` header, or undefined without one. The draft defines the field as a
 * Structured Field String (`Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"`); many clients send the
 * bare value, so both are accepted.
 * @throws InvalidIdempotencyKeyError for an empty, overlong, repeated or non-ASCII value
 */
export function parseIdempotencyKey(header: unknown): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string') throw new InvalidIdempotencyKeyError();
  const quoted = /^"((?:[^"\\]|\\["\\])*)"$/.exec(header.trim());
  const key = quoted ? quoted[1].replace(/\\(["\\])/g, '$1') : header.trim();
  if (!KEY.test(key)) throw new InvalidIdempotencyKeyError();
  return key;
}

/** Route parameter: the request's idempotency key (see parseIdempotencyKey). */
export const IdempotencyKeyHeader = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined =>
    parseIdempotencyKey(context.switchToHttp().getRequest<FastifyRequest>().headers[IDEMPOTENCY_KEY_HEADER]),
);
