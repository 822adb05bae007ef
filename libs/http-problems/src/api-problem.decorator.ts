import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDetailsDto } from './problem-details.dto';
import { PROBLEM_CATALOGUE, type Problem, type ProblemCode, problemFor } from './problem-mapping';
import { PROBLEM_CONTENT_TYPE, renderProblem } from './problem-response';

/** The request id shown in every documented example. */
export const EXAMPLE_REQUEST_ID = 'b3f1c0de-8c0e-4a55-a0f4-7c1d2b9e5f10';

/** One documented error answer of a route. */
export interface DocumentedProblem {
  status: number;
  code: ProblemCode;
  description: string;
}

const API_PROBLEMS = Symbol('api-problems');

/** The problems documented on a controller and on one of its handlers, class-level ones first. */
export function documentedProblems(...targets: object[]): DocumentedProblem[] {
  return targets.flatMap(
    (target) => (Reflect.getMetadata(API_PROBLEMS, target) as DocumentedProblem[] | undefined) ?? [],
  );
}

/**
 * The body of a documented error example: rendered by the same function, from the same catalogue, as a real
 * answer, so titles, types and codes cannot drift. `extras` carries what only an occurrence knows (detail,
 * `errors`).
 */
export function problemExample(
  code: ProblemCode,
  instance: string,
  extras: Omit<Problem, 'status' | 'code' | 'title'> = {},
): Record<string, unknown> {
  return renderProblem(problemFor(code, extras), instance, EXAMPLE_REQUEST_ID);
}

/**
 * Documents an error answer of a route (or of every route of a controller) as `application/problem+json`
 * with its stable code. Several codes may share a status; the OpenAPI document lists one example per code
 * (apps/api/src/openapi/route-conventions.ts builds them from this metadata, with the real validation errors
 * for VALIDATION_FAILED).
 */
export function ApiProblem(status: number, code: ProblemCode, description: string) {
  const expected: number = PROBLEM_CATALOGUE[code].status;
  if (expected !== status) {
    throw new Error(`ApiProblem: ${code} is answered with ${expected}, not ${status}`);
  }
  const record = (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value as object | undefined) ?? target;
    const problems = (Reflect.getMetadata(API_PROBLEMS, holder) as DocumentedProblem[] | undefined) ?? [];
    Reflect.defineMetadata(API_PROBLEMS, [...problems, { status, code, description }], holder);
  };
  return applyDecorators(
    record,
    ApiExtraModels(ProblemDetailsDto),
    ApiResponse({
      status,
      description: `${description} (code \`${code}\`)`,
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: { $ref: getSchemaPath(ProblemDetailsDto) },
          example: problemExample(code, '/'),
        },
      },
    }),
  );
}
