import type { StepMessage } from '@app/onboarding';
import type { RmqContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';

/** The message id (the transport has checked there is one) and request id of the message a handler runs. */
export function stepMessageOf(context: RmqContext): StepMessage {
  const { properties } = context.getMessage() as ConsumeMessage;
  const requestId: unknown = properties.headers?.['x-request-id'];
  return {
    messageId: properties.messageId as string,
    requestId: typeof requestId === 'string' ? requestId : undefined,
  };
}
