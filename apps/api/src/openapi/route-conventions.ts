import {
  type DocumentedProblem,
  EXAMPLE_REQUEST_ID,
  PROBLEM_CONTENT_TYPE,
  problemExample,
  problemFor,
  renderProblem,
} from '@app/http-problems';
import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ADMIN_SECURITY_SCHEME } from '../auth/admin-route.decorator';
import type { ApiRoute } from './api-routes';
import { concretePath, validationExample } from './validation-examples';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const header = (description: string, schema: Record<string, unknown>): HeaderObject => ({
  description,
  schema,
});

/** Response headers, declared once under `components.headers` and referenced where they occur. */
export const RESPONSE_HEADERS: Record<string, HeaderObject> = {
  'X-Request-Id': header(
    'The request id (the client’s own when acceptable), also in problem bodies and logs',
    {
      type: 'string',
    },
  ),
  'Retry-After': header('Seconds to wait before trying again (RFC 9110, section 10.2.3)', {
    type: 'integer',
    minimum: 0,
  }),
  RateLimit: header(
    'Remaining quota and seconds until it resets, per policy (draft-ietf-httpapi-ratelimit-headers-09), ' +
      'e.g. `"signup";r=19;t=60`',
    { type: 'string' },
  ),
  'RateLimit-Policy': header(
    'The quota policies of this route (draft-ietf-httpapi-ratelimit-headers-09), e.g. `"signup";q=20;w=60`',
    { type: 'string' },
  ),
  'WWW-Authenticate': header('The bearer challenge (RFC 6750)', {
    type: 'string',
    example: 'Bearer realm="admin"',
  }),
};

const ref = (name: string): ReferenceObject => ({ $ref: `#/components/headers/${name}` });

/** Problems every route of a kind can answer, whether or not its author thought of them. */
function implicitProblems(
  method: string,
  operation: OperationObject,
  route: ApiRoute,
  validates: boolean,
): DocumentedProblem[] {
  const problems: DocumentedProblem[] = [];
  const has = (where: string) => (operation.parameters ?? []).some((p) => 'in' in p && p.in === where);
  if (validates) {
    problems.push({
      status: 400,
      code: 'VALIDATION_FAILED',
      description: 'Invalid or unknown fields or parameters; `errors` lists each broken rule',
    });
  }
  // Fastify reads a body on every method but GET and HEAD, whether or not the route wants one.
  const takesBody = Boolean(route.dtos.body || operation.requestBody);
  if (takesBody || !['get', 'head'].includes(method)) {
    const sent = takesBody ? 'The body' : 'A body sent although none is needed';
    problems.push(
      {
        status: 400,
        code: 'MALFORMED_JSON',
        description: `${sent} is not JSON, has a lone surrogate or a NUL character, or is nested deeper than 32 levels`,
      },
      { status: 413, code: 'PAYLOAD_TOO_LARGE', description: `${sent} is over HTTP_BODY_LIMIT_BYTES` },
      { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', description: `${sent} is not \`application/json\`` },
    );
  }
  problems.push({
    status: 400,
    code: 'MALFORMED_URL',
    description: 'The URL cannot be decoded (bad percent-encoding) or has an encoded NUL (`%00`)',
  });
  if (has('path')) {
    problems.push({
      status: 414,
      code: 'URI_TOO_LONG',
      description: 'A path parameter is over 100 characters',
    });
  }
  if (route.admin) {
    problems.push({ status: 401, code: 'UNAUTHORIZED', description: 'Missing or wrong bearer token' });
  }
  if (route.rateLimits.length > 0) {
    problems.push({
      status: 429,
      code: 'RATE_LIMITED',
      description: `A rate limit is spent (${route.rateLimits.join(', ')}): retry after \`Retry-After\` seconds`,
    });
  }
  problems.push(
    // Node's HTTP parser answers this before any route runs, for every route alike.
    { status: 431, code: 'REQUEST_HEADERS_TOO_LARGE', description: 'The request headers are over 16 KiB' },
    { status: 500, code: 'INTERNAL_ERROR', description: 'A bug, logged with its stack' },
  );
  return problems;
}

function headersFor(status: number, route: ApiRoute): Record<string, ReferenceObject> {
  const names = ['X-Request-Id'];
  if (route.rateLimits.length > 0) names.push('RateLimit', 'RateLimit-Policy');
  if (status === 429 || status === 503) names.push('Retry-After');
  if (status === 401) names.push('WWW-Authenticate');
  return Object.fromEntries(names.map((name) => [name, ref(name)]));
}

type ValidationSample = Awaited<ReturnType<typeof validationExample>>;

function problemResponse(
  path: string,
  operation: OperationObject,
  validation: ValidationSample,
  problems: DocumentedProblem[],
): ResponseObject {
  const examples: Record<string, Record<string, unknown>> = {};
  for (const { code, description } of problems) {
    const sample = code === 'VALIDATION_FAILED' ? validation : undefined;
    examples[code] = sample
      ? {
          summary: description,
          value: renderProblem(sample.problem, sample.request.path, EXAMPLE_REQUEST_ID),
          'x-sample-request': sample.request,
        }
      : code === 'REQUEST_HEADERS_TOO_LARGE'
        ? // Answered by the HTTP parser: no request id, no path yet.
          { summary: description, value: renderProblem(problemFor(code), undefined) }
        : { summary: description, value: problemExample(code, concretePath(path, operation)) };
  }
  return {
    description: problems.map(({ code, description }) => `${description} (\`${code}\`)`).join('; '),
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: '#/components/schemas/ProblemDetailsDto' },
        examples,
      },
    },
  };
}

/**
 * What every operation of the document must say, derived from each handler's decorators rather than left to
 * each author (routes added later get it too): `security` (`[]` when public, the bearer scheme behind
 * AdminTokenGuard), every error it can answer (the declared `@ApiProblem`s plus what its kind implies: 400/413/
 * 415 with a body, 401 and 429 when admin, 429 under `@RateLimit`, 500 always), one example per code rendered
 * by the real problem renderer (VALIDATION_FAILED by the real validation pipe), and the `X-Request-Id`,
 * `RateLimit*`, `Retry-After` and `WWW-Authenticate` headers where they occur.
 */
export async function applyRouteConventions(
  document: OpenAPIObject,
  routes: Map<string, ApiRoute>,
): Promise<void> {
  document.components = {
    ...document.components,
    headers: { ...document.components?.headers, ...RESPONSE_HEADERS },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const route = routes.get(operation.operationId ?? '');
      if (!route) throw new Error(`OpenAPI: no handler found for ${method.toUpperCase()} ${path}`);
      operation.security = route.admin ? [{ [ADMIN_SECURITY_SCHEME]: [] }] : [];
      operation.description ??= operation.summary;
      const validation = await validationExample(path, operation, route.dtos);
      const byStatus = new Map<number, DocumentedProblem[]>();
      for (const problem of [
        ...route.problems,
        ...implicitProblems(method, operation, route, validation !== undefined),
      ]) {
        const group = byStatus.get(problem.status) ?? [];
        if (!group.some((known) => known.code === problem.code)) group.push(problem);
        byStatus.set(problem.status, group);
      }
      for (const [status, problems] of byStatus) {
        operation.responses[String(status)] = problemResponse(path, operation, validation, problems);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response || '$ref' in response) continue;
        response.headers = { ...response.headers, ...headersFor(Number(status), route) };
      }
    }
  }
}
