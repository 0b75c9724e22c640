import type { FastifyInstance } from 'fastify';
import { parse as parseQueryString } from 'fast-querystring';
import { ApiException } from './api.exception';

const malformed = (what: string) => new ApiException(400, 'malformed_body', `The request body is not valid ${what}.`);

/** Deepest nesting of arrays and objects a JSON body may have; our bodies need a handful of levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * How deep a JSON text nests (arrays and objects), stopping once past `limit`: one pass over the
 * text before it is parsed, so a body nested thousands deep never reaches the parser, the schema
 * check, a log line or a jsonb column (PostgreSQL refuses it with "stack depth limit exceeded").
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > limit) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

/**
 * JSON (Fastify's own parser, with prototype-poisoning protection, at most MAX_JSON_DEPTH deep) and form bodies (the token
 * endpoints take both, as DRF does), both within BODY_LIMIT. A body that does not parse is a 400
 * `malformed_body`, like every other refusal.
 */
export function registerBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    if (jsonDepthExceeds(body as string)) {
      const tooDeep = `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`;
      return done(new ApiException(400, 'malformed_body', tooDeep), undefined);
    }
    void json(request, body as string, (err: Error | null, value?: unknown) =>
      err ? done(malformed('JSON'), undefined) : done(null, value),
    );
  });
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      try {
        done(null, parseQueryString(body as string));
      } catch {
        done(malformed('form data'), undefined);
      }
    },
  );
}
