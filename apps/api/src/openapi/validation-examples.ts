import { createValidationPipe, RequestValidationError, toProblem, type Problem } from '@app/http-problems';
import type { Type } from '@nestjs/common';
import type {
  OperationObject,
  ParameterObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { ApiRoute } from './api-routes';

/** A request whose real answer a documented example is (the OpenAPI test sends it and compares). */
export interface SampleRequest {
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

const INVALID = 'x';

const parametersOf = (operation: OperationObject, where: 'path' | 'query') =>
  (operation.parameters ?? []).filter(
    (parameter): parameter is ParameterObject => 'in' in parameter && parameter.in === where,
  );

const exampleOf = (parameter: ParameterObject): string => {
  const schema = parameter.schema as { example?: unknown } | undefined;
  const example: unknown = (parameter.example as unknown) ?? schema?.example;
  return typeof example === 'string' || typeof example === 'number' ? String(example) : INVALID;
};

/** The path with each `{name}` replaced: documented examples, or `x` for the parameters under test. */
export function concretePath(path: string, operation: OperationObject, invalidParams = false): string {
  let concrete = path;
  for (const parameter of parametersOf(operation, 'path')) {
    const value = invalidParams ? INVALID : exampleOf(parameter);
    concrete = concrete.replace(`{${parameter.name}}`, encodeURIComponent(value));
  }
  return concrete;
}

/**
 * The answer the validation pipe gives to an invalid request for this route: the body `{}` when it takes a
 * body (or one unknown field), else `x` for every path parameter, else `x` for every query parameter (or an
 * unknown one). Nest validates arguments one by one and answers with the first that fails, so each sample
 * breaks exactly one. Undefined when the route
 * validates nothing that way.
 */
export async function validationExample(
  path: string,
  operation: OperationObject,
  dtos: ApiRoute['dtos'],
): Promise<{ request: SampleRequest; problem: Problem } | undefined> {
  const query = Object.fromEntries(
    parametersOf(operation, 'query').map((parameter) => [parameter.name, INVALID]),
  );
  const pathValues = Object.fromEntries(
    parametersOf(operation, 'path').map((parameter) => [parameter.name, INVALID]),
  );
  const candidates: {
    type: 'body' | 'param' | 'query';
    metatype?: Type;
    value: object;
    request: SampleRequest;
  }[] = [
    {
      type: 'body',
      metatype: dtos.body,
      value: {},
      request: { path: concretePath(path, operation), query: {}, body: {} },
    },
    // When every field is optional, an unknown one still fails (unknown fields are refused).
    {
      type: 'body',
      metatype: dtos.body,
      value: { unexpected: true },
      request: { path: concretePath(path, operation), query: {}, body: { unexpected: true } },
    },
    {
      type: 'param',
      metatype: dtos.param,
      value: pathValues,
      request: { path: concretePath(path, operation, true), query: {} },
    },
    {
      type: 'query',
      metatype: dtos.query,
      value: query,
      request: { path: concretePath(path, operation), query },
    },
    {
      type: 'query',
      metatype: dtos.query,
      value: { unexpected: INVALID },
      request: { path: concretePath(path, operation), query: { unexpected: INVALID } },
    },
  ];
  const pipe = createValidationPipe();
  for (const candidate of candidates) {
    if (!candidate.metatype) continue;
    try {
      await pipe.transform(candidate.value, { type: candidate.type, metatype: candidate.metatype });
    } catch (error) {
      if (!(error instanceof RequestValidationError)) throw error;
      return { request: candidate.request, problem: toProblem(error)! };
    }
  }
  return undefined;
}
