import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { startApi } from '../support/apps';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import { type OpenApiDocument, operationsOf, problemExamples } from '../openapi/support/openapi-operations';
import { type FuzzRequest, requestsFor } from './request.arbitraries';

/** 10,000 by default; FUZZ_RUNS to change, FUZZ_SEED to replay a run (the seed is printed on failure). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED =
  process.env.FUZZ_SEED === undefined
    ? Date.now() ^ (Math.random() * 0x100000000)
    : Number(process.env.FUZZ_SEED);

/** Answered on any path, documented once in the document's description. */
const ANYWHERE = new Set([
  '400 MALFORMED_URL',
  '404 ROUTE_NOT_FOUND',
  '405 METHOD_NOT_ALLOWED',
  '414 URI_TOO_LONG',
  '431 REQUEST_HEADERS_TOO_LARGE',
]);

/** What changes when a request writes: rows added, and the latest update of users and dead letters. */
const WRITES = `SELECT (SELECT count(*) FROM users) AS users,
                       (SELECT count(*) FROM outbox_messages) AS outbox,
                       (SELECT count(*) FROM idempotency_keys) AS keys,
                       (SELECT max(updated_at) FROM users) AS users_updated,
                       (SELECT count(*) FROM dead_letters WHERE status <> 'pending') AS dead_letters_settled`;

/**
 * An OpenAPI-driven fuzz test: requests generated from /docs-json for every operation (so routes added later
 * are fuzzed too) with wrong types, boundary lengths, lone surrogates, bidi and zero-width characters, huge
 * numbers, missing and extra fields, bad headers and content types. No answer may be a 5xx, every error must
 * be problem+json with a code the document declares for that operation and status, and no refused request
 * may write anything.
 */
describe('fuzzing every operation of the OpenAPI document', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  let document: OpenApiDocument;

  beforeAll(async () => {
    env = await createTestEnvironment();
    // Cheap hashing and no rate limits: thousands of requests from one address in well under a minute.
    app = await startApi(
      env.config({ ARGON2_MEMORY_KIB: '8', ARGON2_TIME_COST: '1', RATE_LIMIT_ENABLED: 'false' }),
    );
    document = (await app.inject({ method: 'GET', url: '/docs-json' })).json<OpenApiDocument>();
    // Ready means RabbitMQ too: before that, /health/ready answers 503 NOT_READY, as it should.
    await eventually(
      async () => (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200,
      {
        what: 'the API to be ready',
      },
    );
  });

  afterAll(async () => {
    await app?.close();
    await env?.cleanup();
  });

  /** The problems a request may get: those documented for the operations it could reach, and ANYWHERE. */
  const documentedCodes = (request: FuzzRequest): Set<string> => {
    const candidates =
      request.method === request.operation.method
        ? [request.operation]
        : operationsOf(document).filter((candidate) => candidate.method === request.method);
    return new Set([
      ...ANYWHERE,
      ...candidates.flatMap(({ operation }) =>
        problemExamples(operation).map(({ status, code }) => `${status} ${code}`),
      ),
    ]);
  };

  it(`when ${RUNS} generated requests hit the API, then none answers 5xx, every error is a documented problem, and refused requests write nothing`, async () => {
    const operations = operationsOf(document);
    const perOperation = new Map<string, number>();
    let accepted = 0;
    const request = fc.constantFrom(...operations).chain((operation) => requestsFor(document, operation));

    process.stdout.write(`fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays this run)\n`);
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        const where = `${generated.operation.method} ${generated.operation.path}`;
        perOperation.set(where, (perOperation.get(where) ?? 0) + 1);
        const writes = generated.method === 'GET' ? undefined : await env.query(WRITES);
        const response = await app.inject({
          method: generated.method as 'GET',
          url: generated.url,
          headers: generated.headers,
          payload: generated.payload,
        });
        const context = () =>
          `${generated.method} ${generated.url} ${JSON.stringify(generated.headers)} ${generated.payload?.slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 500)}`;

        if (response.statusCode >= 500) throw new Error(`5xx: ${context()}`);
        if (response.statusCode < 400) {
          accepted++;
          return;
        }
        if (generated.method === 'HEAD') return;
        if (!String(response.headers['content-type']).startsWith('application/problem+json')) {
          throw new Error(`not problem+json: ${context()}`);
        }
        const code = response.json<{ code?: string }>().code;
        if (!documentedCodes(generated).has(`${response.statusCode} ${code}`)) {
          throw new Error(`undocumented ${response.statusCode} ${code}: ${context()}`);
        }
        if (writes && JSON.stringify(await env.query(WRITES)) !== JSON.stringify(writes)) {
          throw new Error(`a refused request wrote: ${context()}`);
        }
      }),
      { numRuns: RUNS, seed: SEED, verbose: 1, endOnFailure: true },
    );

    // Valid requests were among them (so the write check saw real writes around the refused ones), and every
    // operation got its share (about RUNS / operations each).
    expect(accepted).toBeGreaterThan(RUNS / 50);
    expect([...perOperation.keys()].sort()).toEqual(
      operations.map(({ method, path }) => `${method} ${path}`).sort(),
    );
    for (const count of perOperation.values()) expect(count).toBeGreaterThan(RUNS / operations.length / 3);
  }, 300_000);
});
