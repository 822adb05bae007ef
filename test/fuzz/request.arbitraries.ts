import fc from 'fast-check';
import { TEST_ADMIN_TOKEN } from '../support/test-environment';
import {
  type DocumentedOperation,
  exampleValue,
  jsonBodySchema,
  type OpenApiDocument,
  resolve,
  type Schema,
} from '../openapi/support/openapi-operations';

/** A generated request: what `app.inject` sends. */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** The operation it was generated for. */
  operation: DocumentedOperation;
}

// Strings that have broken parsers and validators before: lone and paired surrogates, bidi overrides and
// isolates, zero-width characters, BOM, NUL and other controls, line separators, RTL text, combining marks,
// full-width forms, emoji sequences, and text that looks like markup, SQL or a log line.
const NASTY_STRINGS = [
  '',
  ' ',
  '\ud800',
  '\udfff',
  'a\ud83d',
  '\ud83d\ude00',
  '\u202eevil',
  '\u2066isolate\u2069',
  'zero\u200bwidth',
  '\u200c\u200d',
  '\ufeffbom',
  'nul\u0000byte',
  'bell\u0007',
  'line\u2028separator',
  'new\nline\r\n{"level":60}',
  'عربي',
  'Zoe\u0308',
  'ｆｕｌｌｗｉｄｔｈ',
  '👩‍👩‍👧‍👦',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '%00%ZZ',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'ada@bücher.de',
  'ada\u200b@example.com',
  'ada@exam\u202eple.com',
  'a'.repeat(64) + '@example.com',
  'a'.repeat(65) + '@example.com',
  'x'.repeat(7),
  'x'.repeat(8),
  'x'.repeat(100),
  'x'.repeat(101),
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(255),
  'x'.repeat(256),
  'password',
  '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f',
  '00000000-0000-0000-0000-000000000000',
  '2026-11-24T00:00:00.000Z',
  '9999-99-99T99:99:99Z',
  // ISO 8601, yet not for JavaScript's Date: a week date, an ordinal date, a time without an offset.
  '2026-W48-1',
  '2026-335',
  '2026-11-24T10:00:00',
];

const NASTY_NUMBERS = [
  0,
  -0,
  -1,
  1,
  1.5,
  20,
  100,
  101,
  1000,
  1001,
  2 ** 31,
  2 ** 53 + 1,
  1e308,
  -1e308,
  Number.MIN_VALUE,
];

const string = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
);

/** Any JSON value, with the edge cases above well represented. */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    string,
    fc.constantFrom(...NASTY_NUMBERS),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(string, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A value for one schema: a valid example most of the time, anything else otherwise. */
function valueFor(document: OpenApiDocument, schema: Schema | undefined): fc.Arbitrary<unknown> {
  const resolved = resolve(document, schema);
  const valid = fc.constant(exampleValue(document, resolved));
  const typed =
    resolved.type === 'string'
      ? string
      : resolved.type === 'integer' || resolved.type === 'number'
        ? fc.oneof(fc.constantFrom(...NASTY_NUMBERS), fc.integer())
        : resolved.type === 'boolean'
          ? fc.boolean()
          : jsonValue;
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 3, arbitrary: typed },
    { weight: 1, arbitrary: jsonValue },
  );
}

/** A body: the example with fields changed, dropped or added, or not even JSON. */
function bodyFor(document: OpenApiDocument, schema: Schema | undefined): fc.Arbitrary<string | undefined> {
  const resolved = resolve(document, schema);
  const properties = Object.entries(resolved.properties ?? {});
  const object = fc
    .record({
      fields: fc.tuple(...properties.map(([, property]) => valueFor(document, property))),
      dropped: fc.subarray(properties.map(([name]) => name)),
      extra: fc.option(fc.tuple(string, jsonValue), { freq: 4 }),
    })
    .map(({ fields, dropped, extra }) => {
      const body: Record<string, unknown> = {};
      properties.forEach(([name], index) => {
        if (!dropped.includes(name)) body[name] = fields[index];
      });
      if (extra) body[extra[0]] = extra[1];
      return JSON.stringify(body);
    });
  const raw = fc.constantFrom(
    '',
    '{',
    '{"email": "a@b.c", ',
    'null',
    '[]',
    '"text"',
    '{"__proto__": {"admin": true}}',
    '{"constructor": {"prototype": {"admin": true}}}',
    `{"email": "${'\\ud800'}"}`,
    '{"email": 1e999999}',
    `${'['.repeat(2000)}${']'.repeat(2000)}`,
    JSON.stringify({ padding: 'x'.repeat(20_000) }),
  );
  return fc.oneof(
    { weight: 8, arbitrary: object },
    { weight: 2, arbitrary: raw },
    { weight: 1, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
  );
}

const pathValue = fc.oneof(
  string.map((value) => encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))),
  fc.constantFrom('%ZZ', '%ED%A0%80', '%E2%80%AE', '%00', 'a'.repeat(101), '%2F', '..', '', 'x'),
);

const headerValue = fc.oneof(
  fc.constantFrom('', 'x', 'a'.repeat(300), '"quoted"', 'two words', 'clé'),
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    maxLength: 60,
  }),
);

/** Requests for one operation: its own method mostly, with every part varied. */
export function requestsFor(
  document: OpenApiDocument,
  operation: DocumentedOperation,
): fc.Arbitrary<FuzzRequest> {
  const parameters = operation.operation.parameters ?? [];
  const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
  const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
  const schema = jsonBodySchema(operation.operation);
  return fc
    .record({
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(operation.method) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
      ),
      path: fc.tuple(
        ...pathParameters.map((parameter) =>
          fc.oneof(
            {
              weight: 2,
              arbitrary: fc.constant(encodeURIComponent(String(exampleValue(document, parameter.schema)))),
            },
            { weight: 1, arbitrary: fc.uuid().map(String) },
            { weight: 3, arbitrary: pathValue },
          ),
        ),
      ),
      query: fc.tuple(
        ...queryParameters.map((parameter) => fc.option(valueFor(document, parameter.schema), { freq: 2 })),
      ),
      extraQuery: fc.option(fc.tuple(string, string), { freq: 6 }),
      auth: fc.oneof(
        { weight: 6, arbitrary: fc.constant(`Bearer ${TEST_ADMIN_TOKEN}`) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: headerValue.map((value) => `Bearer ${value}`) },
        { weight: 1, arbitrary: headerValue },
      ),
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constant('application/json') },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            undefined,
            'application/json; charset=utf-8',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/jsonx',
            ';;;',
            '',
          ),
        },
      ),
      idempotencyKey: fc.option(fc.oneof(fc.uuid().map(String), headerValue), { freq: 4 }),
      requestId: fc.option(headerValue, { freq: 4 }),
      body: schema ? bodyFor(document, schema) : fc.option(bodyFor(document, undefined), { freq: 8 }),
    })
    .map(({ method, path, query, extraQuery, auth, contentType, idempotencyKey, requestId, body }) => {
      let url = operation.path;
      pathParameters.forEach((parameter, index) => (url = url.replace(`{${parameter.name}}`, path[index])));
      const search = new URLSearchParams();
      queryParameters.forEach((parameter, index) => {
        const value = query[index];
        if (value !== null && value !== undefined)
          search.set(parameter.name, typeof value === 'string' ? value : JSON.stringify(value));
      });
      if (extraQuery) search.set(extraQuery[0], extraQuery[1]);
      const headers: Record<string, string> = {};
      if (auth !== undefined) headers.authorization = auth;
      if (contentType !== undefined && body !== null && body !== undefined)
        headers['content-type'] = contentType;
      if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
      if (requestId !== null) headers['x-request-id'] = requestId;
      const queryString = search.toString();
      const request: FuzzRequest = {
        method,
        url: queryString ? `${url}?${queryString}` : url,
        headers,
        payload: body ?? undefined,
        operation,
      };
      // How fast-check prints a counterexample: the request, not the operation's whole documentation.
      return Object.assign(request, {
        [fc.toStringMethod]: () =>
          JSON.stringify({ method, url: request.url, headers, payload: request.payload?.slice(0, 500) }),
      });
    });
}
