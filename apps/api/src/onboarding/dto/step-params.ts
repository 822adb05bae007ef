import { ONBOARDING_STEPS } from '@app/onboarding';
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { UserIdParams } from '../../users/dto/user-id.params';

/** `/users/{id}/onboarding/steps/{step}`. */
export class StepParams extends UserIdParams {
  @ApiProperty({
    example: 'send-verification-email',
    description: `A step name: ${ONBOARDING_STEPS.map((step) => `\`${step.name}\``).join(', ')}`,
  })
  @Matches(/^[a-z][a-z0-9-]{0,63}$/, { message: 'step must be a step name such as send-verification-email' })
  step!: string;
}
