import { ApiProperty } from '@nestjs/swagger';

/** The one answer to a resend request, whatever the email: it must not tell whether the email is registered. */
export class VerificationRequestedResponse {
  @ApiProperty({ example: 'accepted', enum: ['accepted'] })
  status!: 'accepted';

  @ApiProperty({
    example:
      'If this email belongs to an account waiting for verification, a new verification email is on its way.',
  })
  message!: string;

  static readonly ACCEPTED: VerificationRequestedResponse = {
    status: 'accepted',
    message:
      'If this email belongs to an account waiting for verification, a new verification email is on its way.',
  };
}
