import { DomainError } from '@app/errors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import secureJsonParse from 'secure-json-parse';

/** The request body is not JSON (or is empty) although its content type says it is. */
export class MalformedJsonError extends DomainError {
  readonly code = 'MALFORMED_JSON';
  readonly kind = 'permanent';
}

/**
 * Replaces Fastify's JSON body parser with one that fails with a coded error: Nest turns Fastify's own parse
 * errors into anonymous 400s, and clients deserve to tell "not JSON" from "invalid fields". Prototype-poisoning
 * keys (`__proto__`, `constructor.prototype`) are rejected, as Fastify's parser does. `application/merge-patch+json`
 * is parsed the same way; every other content type is refused with 415. Requires `bodyParser: false` at app
 * creation, so Nest registers no parser of its own.
 */
export function useCodedJsonBodyParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  // JSON Merge Patch (RFC 7396) bodies are JSON too: PATCH /users/{id} takes either type.
  const jsonTypes = ['application/json', 'application/merge-patch+json'];
  fastify.addContentTypeParser(jsonTypes, { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(
        null,
        secureJsonParse.parse(body, undefined, {
          protoAction: 'error',
          constructorAction: 'error',
        }),
      );
    } catch (error) {
      done(new MalformedJsonError(`request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}
