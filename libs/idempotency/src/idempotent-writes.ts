import { Injectable } from '@nestjs/common';
import { Obj, Type, routeKey } from '@pjs/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EntityManager } from 'typeorm';
import { IdempotencyService } from './idempotency.service';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** The header of every write route, for its `@Endpoint({ headers })`. */
export const IdempotencyHeaders = Obj(
  {
    [IDEMPOTENCY_HEADER]: Type.Optional(
      Type.String({
        pattern: '^[\\x21-\\x7e]{1,200}$',
        errorMessage: 'must be 1-200 visible ASCII characters',
        description:
          'Makes a retry safe: the same key (per caller and route) with the same request answers the first ' +
          'answer without writing again (`Idempotent-Replayed: true`); with another request, 422. ' +
          'A refused request (4xx) is not kept: correct it and retry with the same key.',
      }),
    ),
  },
  { additionalProperties: true },
);

/** The answer a write route adds to its `@Endpoint({ responses })` for a reused key. */
export const IdempotencyResponses = {
  422: 'The Idempotency-Key was used for a different request (idempotency_key_reused)',
} as const;

export interface AnswerOptions {
  /**
   * What the request asks for, when the parsed params, query and body do not say it (a multipart
   * upload: its fields and the file's SHA-256). The same key with a different value answers 422.
   */
  request?: unknown;
}

/**
 * The HTTP side of IdempotencyService for a controller: runs the write in a transaction with the
 * request's Idempotency-Key, replays a stored answer with its status and `Idempotent-Replayed: true`.
 */
@Injectable()
export class IdempotentWrites {
  constructor(private readonly idempotency: IdempotencyService) {}

  async answer<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    write: (tx: EntityManager) => Promise<T>,
    options: AnswerOptions = {},
  ): Promise<T> {
    const header = request.headers[IDEMPOTENCY_HEADER];
    const outcome = await this.idempotency.run(
      {
        key: typeof header === 'string' ? header : undefined,
        route: routeKey(request.method, request.routeOptions.url ?? request.url),
        principal: request.principal,
        request: options.request ?? { params: request.params, query: request.query, body: request.body },
      },
      async (tx) => {
        const body = await write(tx);
        return { status: reply.statusCode, body };
      },
    );
    if (outcome.replayed) {
      reply.header('idempotent-replayed', 'true');
      if (outcome.status) reply.code(outcome.status);
    }
    return outcome.body;
  }
}
