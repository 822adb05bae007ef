import { requestIdFrom } from '@app/observability';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The request id pino-http assigned to this request (see LoggingModule). */
export const RequestId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const assigned = (request.raw as { id?: unknown }).id;
  return typeof assigned === 'string' ? assigned : requestIdFrom(request.headers['x-request-id']);
});
