import { ONBOARDING_STATUSES, User, USER_STATUSES, VERIFICATION_METHODS } from '@app/users';
import type { OnboardingStatus, UserStatus, VerificationMethod } from '@app/users';
import { ApiProperty } from '@nestjs/swagger';

/** A user as the API shows it: never the password or its hash. */
export class UserResponse {
  @ApiProperty({ format: 'uuid', example: '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f' })
  id!: string;

  @ApiProperty({
    example: 'ada@example.com',
    description: 'Once erased, a placeholder `erased+<id>@erased.invalid`',
  })
  email!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Ada', description: 'Null once erased' })
  firstName!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Lovelace', description: 'Null once erased' })
  lastName!: string | null;

  @ApiProperty({
    enum: USER_STATUSES,
    example: 'pending_verification',
    description: 'pending_verification until the email is verified, then active; erased once erased',
  })
  status!: UserStatus;

  @ApiProperty({
    enum: ONBOARDING_STATUSES,
    example: 'pending',
    description: 'pending until the worker has run every onboarding step, then completed (or failed)',
  })
  onboardingStatus!: OnboardingStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  emailVerifiedAt!: string | null;

  @ApiProperty({
    enum: VERIFICATION_METHODS,
    nullable: true,
    example: 'token',
    description: 'token: the user followed the mailed link; admin: support staff verified the user',
  })
  verificationMethod!: VerificationMethod | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.123Z' })
  createdAt!: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-24T10:15:31.456Z',
    description: 'Last change of any kind, onboarding included',
  })
  updatedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  erasedAt!: string | null;

  static from(user: User): UserResponse {
    return {
      id: user.id,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      status: user.status,
      onboardingStatus: user.onboardingStatus,
      emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
      verificationMethod: user.verificationMethod,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
      erasedAt: user.erasedAt?.toISOString() ?? null,
    };
  }
}
