import { DomainError } from '@app/errors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import secureJsonParse from 'secure-json-parse';

/** The request body is not JSON (or is empty) although its content type says it is. */
export class MalformedJsonError extends DomainError {
  readonly code = 'MALFORMED_JSON';
  readonly kind = 'permanent';
}

// A lone surrogate (`"\ud800"`) is valid JSON syntax but no Unicode text (RFC 8259 section 8.2; I-JSON, RFC
// 7493, forbids it): it breaks encodeURI, UTF-8 encoding and PostgreSQL alike, so such a body is refused here,
// once for every route.
const LONE_SURROGATE = /\p{Cs}/u;
// PostgreSQL's text cannot hold U+0000 ("invalid byte sequence"): no field of this API can take it.
const NUL = String.fromCharCode(0);

const textProblem = (text: string): string | undefined =>
  LONE_SURROGATE.test(text)
    ? 'has a lone UTF-16 surrogate (not Unicode text)'
    : text.includes(NUL)
      ? 'has a NUL character (U+0000), which no field accepts'
      : undefined;

/** Deeper than any body of this API; a body nested thousands of levels deep overflows class-transformer. */
export const MAX_JSON_DEPTH = 32;

/** Why a parsed body is refused, if it is: too deep, or a string that is not Unicode text. */
function bodyProblem(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return textProblem(value);
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_JSON_DEPTH) return `is nested deeper than ${MAX_JSON_DEPTH} levels`;
  for (const [key, item] of Object.entries(value)) {
    const problem = textProblem(key) ?? bodyProblem(item, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Replaces Fastify's JSON body parser with one that fails with a coded error: Nest turns Fastify's own parse
 * errors into anonymous 400s, and clients deserve to tell "not JSON" from "invalid fields". Prototype-poisoning
 * keys (`__proto__`, `constructor.prototype`) are rejected, as Fastify's parser does, and so are lone surrogates
 * and bodies nested deeper than MAX_JSON_DEPTH. `application/merge-patch+json` is parsed the same way; every other
 * content type is refused with 415. Requires `bodyParser: false` at app creation, so Nest registers no parser of
 * its own.
 */
export function useCodedJsonBodyParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  // JSON Merge Patch (RFC 7396) bodies are JSON too: PATCH /users/{id} takes either type.
  const jsonTypes = ['application/json', 'application/merge-patch+json'];
  fastify.addContentTypeParser(jsonTypes, { parseAs: 'string' }, (_request, body, done) => {
    let parsed: unknown;
    try {
      parsed = secureJsonParse.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (error) {
      done(new MalformedJsonError(`request body is not valid JSON: ${(error as Error).message}`), undefined);
      return;
    }
    const problem = bodyProblem(parsed);
    if (problem) {
      done(new MalformedJsonError(`request body ${problem}`), undefined);
      return;
    }
    done(null, parsed);
  });
}
