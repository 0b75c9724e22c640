import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Application } from 'express';
import proxyAddr from 'proxy-addr';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
type ETagFn = (body: string, encoding: 'utf8') => string | undefined;
type TrustFn = (addr: string, hop: number) => boolean;

/**
 * The pieces of the app's own Express instance that a fast lane reuses, so that what it shares
 * with Express is the same code with the same settings rather than a copy: the request listener
 * to hand requests to, the JSON body parser (BODY_LIMIT, charset and error rules), the ETag
 * function, and the client address as `req.ip` computes it (TRUST_PROXY).
 */
export interface ExpressParts {
  /** Express itself: every request the lane does not answer goes here, untouched. */
  handle: RequestListener;
  jsonParser: Middleware;
  /** `app.get('etag fn')`: what res.send puts in ETag (undefined when ETags are off). */
  etag: ETagFn | undefined;
  clientIp(req: IncomingMessage): string | undefined;
}

/**
 * Takes the request listener off the app's HTTP server (the caller installs its own in front)
 * and looks up the parts above. Throws when the app is not built as createWebApp builds it.
 */
export function takeExpressParts(app: NestExpressApplication): ExpressParts {
  const server: Server = app.getHttpServer();
  const express = app.getHttpAdapter().getInstance() as Application;
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) throw new Error('expected exactly one request listener (the Express app)');
  for (const setting of ['json replacer', 'json spaces', 'json escape']) {
    // The lane writes JSON as res.json does with these unset.
    if (express.get(setting) !== undefined) throw new Error(`the fast lane does not support Express "${setting}"`);
  }
  const parts: ExpressParts = {
    handle: listeners[0],
    jsonParser: findJsonParser(express),
    etag: express.get('etag fn') as ETagFn | undefined,
    clientIp: clientIpOf(express.get('trust proxy fn') as TrustFn),
  };
  server.removeAllListeners('request');
  return parts;
}

function findJsonParser(express: Application): Middleware {
  const { stack } = express.router as unknown as { stack: { name: string; handle: Middleware }[] };
  const parsers = stack.filter((layer) => layer.name === 'jsonParser');
  if (parsers.length !== 1)
    throw new Error(`expected one JSON body parser on the Express app, found ${parsers.length}`);
  return parsers[0].handle;
}

/** `req.ip` without Express's request prototype: the same proxy-addr call with the app's trust function. */
function clientIpOf(trust: TrustFn): (req: IncomingMessage) => string | undefined {
  return (req) => proxyAddr(req, trust);
}
