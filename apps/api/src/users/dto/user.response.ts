import { ONBOARDING_STATUSES, User, USER_STATUSES } from '@app/users';
import type { OnboardingStatus, UserStatus } from '@app/users';
import { ApiProperty } from '@nestjs/swagger';

/** A user as the API shows it: never the password or its hash. */
export class UserResponse {
  @ApiProperty({ format: 'uuid', example: '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada' })
  firstName!: string;

  @ApiProperty({ example: 'Lovelace' })
  lastName!: string;

  @ApiProperty({ enum: USER_STATUSES, example: 'pending_verification' })
  status!: UserStatus;

  @ApiProperty({
    enum: ONBOARDING_STATUSES,
    example: 'pending',
    description: 'pending until the worker has run every onboarding step, then completed (or failed)',
  })
  onboardingStatus!: OnboardingStatus;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.123Z' })
  createdAt!: string;

  static from(user: User): UserResponse {
    return {
      id: user.id,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      status: user.status,
      onboardingStatus: user.onboardingStatus,
      createdAt: user.createdAt.toISOString(),
    };
  }
}
