import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { ExpressParts } from './express-parts';

export type JsonBodyOutcome =
  /** Parsed into `req.body`; Express's parser will skip the request (its stream has ended). */
  | { kind: 'parsed' }
  /** Not for the JSON parser (no body, another content type): the stream was not touched. */
  | { kind: 'untouched' }
  /** The parser refused it (too large, malformed, bad charset): an http-errors error. */
  | { kind: 'refused'; error: unknown };

/**
 * Runs the app's own JSON body parser on the request, as Express would run it: same limit, same
 * rules, same errors (a synchronous throw counts as an error, as in an Express layer).
 */
export function readJsonBody(req: IncomingMessage, res: ServerResponse, parts: ExpressParts): Promise<JsonBodyOutcome> {
  return new Promise((resolve) => {
    const done = (error?: unknown): void => {
      if (error) resolve({ kind: 'refused', error });
      // The parser sets req.body only when it parsed (JSON never parses to undefined).
      else resolve({ kind: (req as { body?: unknown }).body === undefined ? 'untouched' : 'parsed' });
    };
    try {
      parts.jsonParser(req, res, done);
    } catch (error) {
      done(error ?? new Error('body parser threw'));
    }
  });
}

const REFUSAL = Symbol('fastLaneBodyRefusal');
type WithRefusal = IncomingMessage & { [REFUSAL]?: unknown };

/** Marks a request whose body the lane's parser refused, before handing it to Express. */
export function carryBodyRefusal(req: IncomingMessage, error: unknown): void {
  (req as WithRefusal)[REFUSAL] = error;
}

/**
 * Registered right after Express's body parsers: raises the refusal the lane's parser met, at the
 * point where Express's own parser would have raised it. The body is gone by then (read once), so
 * Express's parsers skip the request, and the error takes the path it takes without the lane:
 * past the rate limit and the routes to Nest's exception handler and our filter.
 */
export const bodyRefusalRelay: RequestHandler = (req, _res, next) => {
  const error = (req as WithRefusal)[REFUSAL];
  if (error === undefined) return next();
  next(error);
};
