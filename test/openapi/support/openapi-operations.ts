import { TEST_ADMIN_TOKEN } from '../../support/test-environment';

/** The parts of an OpenAPI 3.0 document the tests read (as /docs-json serves it). */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
  example?: unknown;
}

export interface Example {
  summary?: string;
  value: Record<string, unknown>;
  'x-sample-request'?: { path: string; query: Record<string, string>; body?: unknown };
}

export interface Response {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: Schema; example?: unknown; examples?: Record<string, Example> }>;
}

export interface Operation {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, Response>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Record<string, unknown>> };
}

export interface DocumentedOperation {
  method: string;
  path: string;
  operation: Operation;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every operation of the document, so that routes added later are covered without touching the tests. */
export function operationsOf(document: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

export const isAdmin = (operation: Operation) =>
  (operation.security ?? []).some((requirement) => 'admin' in requirement);

export function resolve(document: OpenApiDocument, schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) return resolve(document, document.components.schemas[schema.$ref.split('/').pop()!]);
  if (schema.allOf?.length === 1)
    return { ...resolve(document, schema.allOf[0]), ...schema, allOf: undefined };
  return schema;
}

/** What Swagger UI fills in by default: each property's example (or default), recursively. */
export function exampleValue(document: OpenApiDocument, raw: Schema | undefined): unknown {
  const schema = resolve(document, raw);
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.type === 'array') return [exampleValue(document, schema.items)];
  if (schema.type === 'object' || schema.properties) {
    return Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([name, property]) => [
        name,
        exampleValue(document, property),
      ]),
    );
  }
  return schema.type === 'integer' || schema.type === 'number'
    ? 1
    : schema.type === 'boolean'
      ? false
      : 'string';
}

export const jsonBodySchema = (operation: Operation) =>
  operation.requestBody?.content['application/json']?.schema;

export interface RequestParts {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

/** The request Swagger UI's "Try it out" sends with its defaults (path and query examples, example body). */
export function defaultRequest(
  document: OpenApiDocument,
  { method, path, operation }: DocumentedOperation,
): RequestParts {
  let url = path;
  const query = new URLSearchParams();
  for (const parameter of operation.parameters ?? []) {
    const value = parameter.example ?? exampleValue(document, parameter.schema);
    if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, encodeURIComponent(String(value)));
    if (parameter.in === 'query' && parameter.required) query.set(parameter.name, String(value));
  }
  const headers: Record<string, string> = isAdmin(operation)
    ? { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
    : {};
  const schema = jsonBodySchema(operation);
  if (schema) headers['content-type'] = 'application/json';
  return {
    method,
    url: query.size ? `${url}?${query.toString()}` : url,
    headers,
    payload: schema ? JSON.stringify(exampleValue(document, schema)) : undefined,
  };
}

/** Every documented error example of an operation, with its status. */
export function problemExamples(operation: Operation): { status: number; code: string; example: Example }[] {
  return Object.entries(operation.responses).flatMap(([status, response]) =>
    Object.entries(response.content?.['application/problem+json']?.examples ?? {}).map(([code, example]) => ({
      status: Number(status),
      code,
      example,
    })),
  );
}
