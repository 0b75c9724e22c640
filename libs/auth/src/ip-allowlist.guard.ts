import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, RequestHandler } from 'express';
import { IS_ADMIN_KEY } from './auth.decorators';
import { IpAllowlist } from './ip-allowlist';

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export interface AllowlistOptions {
  /** `INTERNAL_ALLOWED_IPS`: who may call `/api/…`. */
  internalAllowedIps: readonly string[];
  /** `ADMIN_ALLOWED_IPS`: who may call admin routes and the API docs. */
  adminAllowedIps: readonly string[];
}

function forbidden(): ForbiddenException {
  return new ForbiddenException({ code: 'address_not_allowed', message: 'Your address may not use this route.' });
}

/**
 * Checks the client address (req.ip, which honours Express `trust proxy`, set from TRUST_PROXY)
 * against the internal list for `/api` and the admin list for admin routes. Runs before auth.
 */
@Injectable()
export class IpAllowlistGuard implements CanActivate {
  private readonly internal: IpAllowlist;
  private readonly admin: IpAllowlist;

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) options: AllowlistOptions,
  ) {
    this.internal = new IpAllowlist(options.internalAllowedIps);
    this.admin = new IpAllowlist(options.adminAllowedIps);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (req.path.startsWith('/api') && !this.internal.allows(req.ip)) throw forbidden();
    const isAdmin = this.reflector.getAllAndOverride<boolean>(IS_ADMIN_KEY, [context.getHandler(), context.getClass()]);
    if (isAdmin && !this.admin.allows(req.ip)) throw forbidden();
    return true;
  }
}

/** The same check for paths Nest does not route itself (e.g. the OpenAPI UI). */
export function ipAllowlistMiddleware(entries: readonly string[]): RequestHandler {
  const list = new IpAllowlist(entries);
  return (req, res, next) => {
    if (list.allows(req.ip)) return next();
    res
      .status(403)
      .json({ statusCode: 403, code: 'address_not_allowed', message: 'Your address may not use this route.' });
  };
}
