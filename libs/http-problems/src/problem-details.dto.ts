import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROBLEM_CATALOGUE } from './problem-mapping';

export class FieldErrorDto {
  @ApiProperty({ example: 'email', description: 'Path of the offending field in the request' })
  field!: string;

  @ApiProperty({ example: 'isEmail', description: 'Stable code of the broken rule' })
  code!: string;

  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** RFC 9457 problem details, as every error of this API is returned (`application/problem+json`). */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'urn:onboarding:problem:validation-failed', format: 'uri' })
  type!: string;

  @ApiProperty({ example: 'Request validation failed' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiPropertyOptional({ example: 'The request body has 1 invalid field.' })
  detail?: string;

  @ApiPropertyOptional({
    example: '/users',
    description: 'The request path (absent only when the HTTP parser refused the request before reading it)',
  })
  instance?: string;

  @ApiProperty({
    example: 'VALIDATION_FAILED',
    description: `Stable machine-readable code: ${Object.keys(PROBLEM_CATALOGUE).join(', ')}`,
  })
  code!: string;

  @ApiPropertyOptional({ example: 'b3f1c0de-8c0e-4a55-a0f4-7c1d2b9e5f10' })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}
