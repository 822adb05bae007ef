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

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([key, item]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(item));
  }
  return false;
}

/**
 * Replaces Fastify's JSON body parser with one that fails with a coded error: Nest turns Fastify's own parse
 * errors into anonymous 400s, and clients deserve to tell "not JSON" from "invalid fields". Prototype-poisoning
 * keys (`__proto__`, `constructor.prototype`) are rejected, as Fastify's parser does, and so are lone surrogates. Every other content type
 * is refused with 415. Requires `bodyParser: false` at app creation, so Nest registers no parser of its own.
 */
export function useCodedJsonBodyParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    let parsed: unknown;
    try {
      parsed = secureJsonParse.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (error) {
      done(new MalformedJsonError(`request body is not valid JSON: ${(error as Error).message}`), undefined);
      return;
    }
    if (hasLoneSurrogate(parsed)) {
      done(new MalformedJsonError('request body has a lone UTF-16 surrogate (not Unicode text)'), undefined);
      return;
    }
    done(null, parsed);
  });
}
