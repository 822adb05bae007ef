import { VERIFICATION_TOKEN_PATTERN } from '@app/verification';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class VerifyEmailDto {
  @ApiProperty({
    example: 'q3Zl2mV0c8k1yR9pXo4tWb6fHn7sJd5aLe0uGi2KxQw',
    pattern: VERIFICATION_TOKEN_PATTERN.source,
    description: 'The token of the verification link: 43 base64url characters',
  })
  @IsString()
  @Matches(VERIFICATION_TOKEN_PATTERN, { message: 'token must be 43 base64url characters' })
  token!: string;
}
