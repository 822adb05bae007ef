import { IsISO8601, IsUUID } from 'class-validator';

/** Routing keys (event types) the users library emits. */
export const USER_EVENTS = {
  registered: 'user.registered',
  verified: 'user.verified',
  updated: 'user.updated',
  erased: 'user.erased',
} as const;

/**
 * Payload of `user.registered`. Ids only: the consumer reads current data from the database, and no personal
 * data, let alone a password, travels through the broker.
 */
export class UserRegisteredEvent {
  @IsUUID()
  userId!: string;

  @IsISO8601({ strict: true })
  registeredAt!: string;
}
