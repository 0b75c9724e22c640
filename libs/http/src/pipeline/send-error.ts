import type { FastifyReply } from 'fastify';
import type { ErrorBody } from '../api.exception';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers an error body with the request id, and the headers its status calls for. */
export function sendError(reply: FastifyReply, body: ErrorBody, retryAfterSeconds?: number): void {
  if (reply.sent) return;
  body.request_id = reply.request.id;
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  if (body.statusCode === 401) reply.header('www-authenticate', 'Token');
  reply.code(body.statusCode).header('content-type', JSON_TYPE).send(JSON.stringify(body));
}
