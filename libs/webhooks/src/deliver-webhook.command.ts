import { IsIn, IsString, IsUUID, Length } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-events';

/** The routing key (on the steps exchange) of {@link DeliverWebhookCommand}: the name of the delivery step. */
export const DELIVER_WEBHOOK_COMMAND = 'deliver-webhook';

/**
 * The payload of a `deliver-webhook` step message: which delivery to make. Ids only: the endpoint's URL and
 * secrets, and the user's data, are read when the delivery is made.
 */
export class DeliverWebhookCommand {
  @IsUUID()
  deliveryId!: string;

  @IsUUID()
  endpointId!: string;

  @IsUUID()
  userId!: string;

  @IsIn(WEBHOOK_EVENT_TYPES)
  eventType!: WebhookEventType;

  /** The event's message id: with the endpoint id, the delivery's unit on the user's timeline. */
  @IsString()
  @Length(1, 255)
  eventMessageId!: string;
}
