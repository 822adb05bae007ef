import { InvalidMessageError, MessageValidationPipe, originalRoutingKey, RetryPolicy } from '@app/messaging';
import {
  isWebhookEventType,
  WEBHOOK_EVENT_CLASSES,
  WEBHOOK_FANOUT,
  WebhookFanout,
  type WebhookSourceEvent,
} from '@app/webhooks';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { stepMessageOf } from '../onboarding/step-message.context';

const validation = new MessageValidationPipe();

/**
 * Every user event (the `<prefix>.webhooks` queue) → one delivery step per endpoint subscribed to it. Not a step
 * of the user's onboarding, but the same transport: retried under the default policy, dead-lettered when the
 * message is invalid.
 */
@Controller()
export class WebhookFanoutHandler {
  constructor(private readonly fanout: WebhookFanout) {}

  @EventPattern(WEBHOOK_FANOUT)
  @RetryPolicy()
  async handle(@Payload() payload: unknown, @Ctx() context: RmqContext): Promise<string> {
    const message = context.getMessage() as ConsumeMessage;
    const declared: unknown = message.properties.type;
    const type = typeof declared === 'string' && declared ? declared : originalRoutingKey(message);
    // The queue accepts only these types (the transport checked); this narrows it for the compiler.
    if (!isWebhookEventType(type)) {
      throw new InvalidMessageError(`no webhook event of type ${type}`, [], 'MESSAGE_TYPE_UNKNOWN');
    }
    const event = (await validation.transform(payload, {
      type: 'body',
      metatype: WEBHOOK_EVENT_CLASSES[type],
    })) as WebhookSourceEvent;
    const outcome = await this.fanout.fanOut(stepMessageOf(context), type, event);
    return outcome === 'duplicate' ? 'duplicate' : 'processed';
  }
}
