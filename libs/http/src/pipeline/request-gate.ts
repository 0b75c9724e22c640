import type { FastifyRequest } from 'fastify';
import type { Refusal } from '../access/access-control';

/**
 * A check every request passes after the access check (e.g. rate limits). Return undefined to let
 * it go on; sync when it can be.
 */
export interface RequestGate {
  check(request: FastifyRequest): Refusal | undefined | Promise<Refusal | undefined>;
}
