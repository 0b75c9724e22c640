import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import {
  AccessLog,
  currentCorrelationContext,
  runInCorrelationContext,
  type CorrelationContext,
  type Logger,
} from '@pjs/logger';
import type { AccessControl, Refusal, ResolvedRule } from '../access/access-control';
import { pathOf } from '../all-exceptions.filter';
import type { RequestGate } from './request-gate';
import { RouteMetrics } from './route-metrics';
import { securityHeaders } from './security-headers';
import { sendError } from './send-error';

export interface PipelineOptions {
  logger: Logger;
  access: AccessControl;
  /** Further checks after the access check, in order (rate limits). */
  gates?: readonly RequestGate[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's correlation context (request id), re-entered where an emitter lost it. */
    correlation: CorrelationContext | null;
  }
}

function ruleOf(request: FastifyRequest): ResolvedRule | undefined {
  return (request.routeOptions.config as { access?: ResolvedRule }).access;
}

/**
 * The one request pipeline of every web app, as Fastify hooks (they cost a few microseconds where
 * Nest guards and interceptors cost tens; see docs/architecture.md):
 *
 * - onRoute: each route gets its access rule (or the app refuses to start).
 * - onRequest: helmet's security headers; the request id (the caller's `X-Request-Id` if
 *   well-formed, else a new one) is echoed and carried through every async step (logs, outbox,
 *   AMQP headers); then the access check and the gates run, before any body is read.
 * - preValidation: re-enters the request's context, which body parsing (stream events) leaves.
 * - validation: Fastify's compiled schemas of the route (see createSchemaCompiler).
 * - onResponse: the access log line and the RED histogram, under the route template.
 *
 * Errors from validation, body parsing and handlers reach Nest's exception layer and our
 * AllExceptionsFilter (errorBodyOf), which gives them the same JSON body as the refusals here.
 */
export function installRequestPipeline(fastify: FastifyInstance, options: PipelineOptions): void {
  const { logger, access } = options;
  const gates = options.gates ?? [];
  const accessLog = new AccessLog(logger);
  const metrics = new RouteMetrics();
  const headers = securityHeaders();

  // Declared up front so that setting them per request keeps the request objects' shape.
  fastify.decorateRequest('correlation', null);
  fastify.decorateRequest('principal', undefined);
  fastify.addHook('onRoute', (route: RouteOptions) => access.resolve(route));

  const refuse = (reply: FastifyReply, refusal: Refusal): void =>
    sendError(reply, refusal.body, refusal.retryAfterSeconds);

  const runGates = (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void, from: number): void => {
    for (let i = from; i < gates.length; i++) {
      const verdict = gates[i].check(request);
      if (verdict instanceof Promise) {
        verdict.then(
          (refusal) => (refusal ? refuse(reply, refusal) : runGates(request, reply, done, i + 1)),
          (err: Error) => done(err),
        );
        return;
      }
      if (verdict) return refuse(reply, verdict);
    }
    done();
  };

  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const context: CorrelationContext = { correlationId: request.id, clientIp: () => request.ip };
    request.correlation = context;
    reply.headers(headers);
    reply.header('x-request-id', request.id);
    runInCorrelationContext(context, () => {
      const verdict = access.check(request);
      if (verdict instanceof Promise) {
        verdict.then(
          (refusal) => (refusal ? refuse(reply, refusal) : runGates(request, reply, done, 0)),
          (err: Error) => done(err),
        );
      } else if (verdict) {
        refuse(reply, verdict);
      } else {
        runGates(request, reply, done, 0);
      }
    });
  });

  fastify.addHook('preValidation', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    const context = request.correlation;
    if (context && currentCorrelationContext() !== context) runInCorrelationContext(context, done);
    else done();
  });

  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const rule = ruleOf(request);
    if (!rule?.quiet) {
      const route = rule ? request.routeOptions.url : undefined;
      const durationMs = reply.elapsedTime;
      metrics.observe(request.method, route ?? 'unmatched', reply.statusCode, durationMs / 1000);
      accessLog.write({
        requestId: request.id,
        method: request.method,
        path: pathOf(request.url),
        status: reply.statusCode,
        durationMs,
        clientIp: request.ip,
        route,
      });
    }
    done();
  });
}
