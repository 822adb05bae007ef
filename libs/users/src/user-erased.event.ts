import { IsISO8601, IsUUID } from 'class-validator';

/** Payload of `user.erased`: consumers holding copies of the user's personal data delete theirs. */
export class UserErasedEvent {
  @IsUUID()
  userId!: string;

  @IsISO8601({ strict: true })
  erasedAt!: string;
}
