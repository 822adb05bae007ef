import { IsIn, IsISO8601, IsUUID } from 'class-validator';
import { VERIFICATION_METHODS, type VerificationMethod } from './user.entity';

/** Payload of `user.verified`: ids and times only, like every user event. */
export class UserVerifiedEvent {
  @IsUUID()
  userId!: string;

  @IsISO8601({ strict: true })
  verifiedAt!: string;

  @IsIn(VERIFICATION_METHODS)
  method!: VerificationMethod;
}
