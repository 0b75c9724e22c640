import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { IpAllowlist, tokenFromAuthorizationHeader, type AuthService, type Principal } from '@pjs/auth';
import { AllExceptionsFilter } from '@pjs/http';
import {
  REQUEST_ID_HEADER,
  newCorrelationId,
  runWithCorrelationId,
  sanitizeCorrelationId,
  type Logger,
} from '@pjs/logger';
import { takeExpressParts, type ExpressParts } from '../fast-lane/express-parts';
import { carryBodyRefusal, readJsonBody } from '../fast-lane/json-body';
import { sendError, sendJson } from '../fast-lane/json-reply';
import { recordServedRequest } from '../fast-lane/served-request';
import type { ApiRateLimits } from '../rate-limit/api-rate-limits';
import { plainStockChange, type PlainStockChange } from './stock-change-body';
import type { StockService } from './stock.service';

export interface StockFastLaneOptions {
  stock: StockService;
  /** The app's AuthService (its token cache included). */
  auth: AuthService;
  /** The instance the `/api` rate-limit middleware uses: one set of counters. */
  limits: ApiRateLimits;
  logger: Logger;
  internalAllowedIps: readonly string[];
  adminAllowedIps: readonly string[];
}

type LaneOperation = 'add' | 'reduce';

/** The URLs the lane takes (exactly; any other spelling goes to Express) and the route template Express records. */
const ROUTES = new Map<string, { operation: LaneOperation; template: string }>([
  ['/api/add-stock/', { operation: 'add', template: '/api/add-stock' }],
  ['/api/add-stock', { operation: 'add', template: '/api/add-stock' }],
  ['/api/reduce-stock/', { operation: 'reduce', template: '/api/reduce-stock' }],
  ['/api/reduce-stock', { operation: 'reduce', template: '/api/reduce-stock' }],
]);

interface Accepted {
  change: PlainStockChange;
  principal: Principal;
  idempotencyKey: string | undefined;
}

/**
 * A fast lane in front of Express for the hot stock writes, `POST /api/add-stock/` and
 * `POST /api/reduce-stock/`.
 *
 * Why: on small machines the Express + Nest pipeline costs more CPU per request than PostgreSQL
 * spends on the change itself, and both compete for the same cores (docs/benchmarks.md, "IM stock").
 *
 * It takes the same steps as the regular pipeline, in the same order and with the same pieces:
 * request id and correlation context, the app's JSON body parser, the shared rate-limit counters,
 * the address allowlists (internal and admin), the token through the app's AuthService, the DTO's
 * rules (stock-change-body.ts), StockService, and the app's exception filter for its errors. Until
 * it calls StockService nothing is answered: any step that is not plainly fine hands the request
 * to Express, which answers it as without the lane (the rate-limit verdict and a body refusal
 * travel along, so nothing is counted or read twice). Answered requests get the access log line
 * and the RED histogram under the route template, as the shared middlewares record them.
 */
export function installStockFastLane(app: NestExpressApplication, options: StockFastLaneOptions): void {
  const express = takeExpressParts(app);
  const lane = new StockFastLane(express, options);
  app.getHttpServer().on('request', (req: IncomingMessage, res: ServerResponse) => {
    const route = req.method === 'POST' ? ROUTES.get(req.url ?? '') : undefined;
    if (!route) return express.handle(req, res);
    const started = process.hrtime.bigint();
    const requestId = sanitizeCorrelationId(req.headers[REQUEST_ID_HEADER]) ?? newCorrelationId();
    runWithCorrelationId(requestId, () => {
      lane.serve(req, res, route.operation, route.template, requestId, started).catch((err: unknown) => {
        options.logger.error('stock fast lane failed', { err });
        if (!res.headersSent) res.destroy();
      });
    });
  });
}

class StockFastLane {
  private readonly internal: IpAllowlist;
  private readonly admin: IpAllowlist;
  private readonly filter: AllExceptionsFilter;
  private readonly record: ReturnType<typeof recordServedRequest>;

  constructor(
    private readonly express: ExpressParts,
    private readonly options: StockFastLaneOptions,
  ) {
    this.internal = new IpAllowlist(options.internalAllowedIps);
    this.admin = new IpAllowlist(options.adminAllowedIps);
    this.filter = new AllExceptionsFilter(options.logger);
    this.record = recordServedRequest(options.logger);
  }

  async serve(
    req: IncomingMessage,
    res: ServerResponse,
    operation: LaneOperation,
    template: string,
    requestId: string,
    started: bigint,
  ): Promise<void> {
    let accepted: Accepted | undefined;
    try {
      accepted = await this.accept(req, res);
    } catch {
      accepted = undefined; // e.g. the token lookup failed: Express tries again and answers
    }
    if (!accepted) return this.express.handle(req, res);

    // From here on the change may be applied, so the lane answers whatever happens.
    this.record(req, res, template, started);
    res.setHeader('X-Request-Id', requestId);
    try {
      const { change, principal } = accepted;
      const answer = await this.options.stock.change(
        operation,
        { itemNo: change.item_no, amount: change.amount, orderNumber: change.order_id, reason: change.reason },
        { name: principal.username, tokenId: principal.tokenId },
        accepted.idempotencyKey,
      );
      if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
      sendJson(
        res,
        200,
        { item_no: answer.item_no, quantity: answer.quantity, movement: answer.movement },
        this.express.etag,
      );
    } catch (error) {
      sendError(this.filter, error, req, res, this.express.etag);
    }
  }

  /** Every check the pipeline makes before the controller, in its order; undefined hands over. */
  private async accept(req: IncomingMessage, res: ServerResponse): Promise<Accepted | undefined> {
    const body = await readJsonBody(req, res, this.express);
    if (body.kind === 'untouched') return undefined;
    if (body.kind === 'refused') {
      carryBodyRefusal(req, body.error);
      return undefined;
    }
    const ip = this.express.clientIp(req);
    if (this.options.limits.check(req, ip)) return undefined;
    if (!this.internal.allows(ip) || !this.admin.allows(ip)) return undefined;
    const token = tokenFromAuthorizationHeader(req.headers.authorization);
    if (!token) return undefined;
    const principal = await this.options.auth.authenticateToken(token);
    if (!principal?.isAdmin) return undefined;
    const change = plainStockChange((req as { body?: unknown }).body);
    const key = req.headers['idempotency-key'];
    if (!change || Array.isArray(key)) return undefined;
    return { change, principal, idempotencyKey: key };
  }
}
