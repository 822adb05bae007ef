import { ArrayNotEmpty, IsArray, IsIn, IsISO8601, IsUUID } from 'class-validator';

/** The profile fields an admin may change (`PATCH /users/{id}`). */
export const USER_PROFILE_FIELDS = ['firstName', 'lastName'] as const;
export type UserProfileField = (typeof USER_PROFILE_FIELDS)[number];

/**
 * Payload of `user.updated`: which fields changed, never their values (no personal data travels through the
 * broker; a consumer that needs the values reads the user).
 */
export class UserUpdatedEvent {
  @IsUUID()
  userId!: string;

  @IsISO8601({ strict: true })
  updatedAt!: string;

  @IsArray()
  @ArrayNotEmpty()
  @IsIn(USER_PROFILE_FIELDS, { each: true })
  changed!: UserProfileField[];
}
