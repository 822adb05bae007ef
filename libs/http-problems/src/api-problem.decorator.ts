import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDetailsDto } from './problem-details.dto';
import { PROBLEM_CONTENT_TYPE } from './problem-details.filter';

/** Documents an error response of a route as `application/problem+json` with its stable code. */
export function ApiProblem(status: number, code: string, description: string) {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ApiResponse({
      status,
      description: `${description} (code \`${code}\`)`,
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: { $ref: getSchemaPath(ProblemDetailsDto) },
          example: {
            type: `urn:onboarding:problem:${code.toLowerCase().replace(/_/g, '-')}`,
            title: description,
            status,
            instance: '/users',
            code,
            requestId: 'b3f1c0de-8c0e-4a55-a0f4-7c1d2b9e5f10',
          },
        },
      },
    }),
  );
}
