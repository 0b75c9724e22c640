import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import passport from 'passport';
import { IS_ADMIN_KEY, IS_PUBLIC_KEY } from './auth.decorators';
import type { Principal } from './auth.types';
import { TokenStrategy } from './token.strategy';

/**
 * Global, deny-by-default: every route needs a valid token unless marked `@Public()`.
 * Passport runs this app's own strategy instance (not the process-wide one registered by name),
 * so two apps in one process (tests, in-process DBU) never check tokens against each other.
 */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: TokenStrategy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.flag(context, IS_PUBLIC_KEY)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { user?: Principal }>();
    const user = await this.authenticate(req, http.getResponse<Response>());
    if (!user) {
      throw new UnauthorizedException({
        code: 'not_authenticated',
        message: 'Authentication credentials were not provided or are invalid.',
      });
    }
    req.user = user;
    if (this.flag(context, IS_ADMIN_KEY) && !user.isAdmin) {
      throw new ForbiddenException({ code: 'admin_required', message: 'This action needs an admin token.' });
    }
    return true;
  }

  private authenticate(req: Request, res: Response): Promise<Principal | undefined> {
    return new Promise((resolve, reject) => {
      // A fresh object per request (as passport does for named strategies): passport attaches the
      // request's success/fail callbacks to the strategy object, so sharing one instance would let
      // concurrent requests answer each other (hung requests, or another caller's principal).
      const handler = passport.authenticate(
        Object.create(this.strategy) as TokenStrategy,
        { session: false },
        (err: unknown, user: Principal | false | undefined) => {
          if (err) reject(err instanceof Error ? err : new UnauthorizedException());
          else resolve(user || undefined);
        },
      ) as (req: Request, res: Response, next: (err?: unknown) => void) => void;
      handler(req, res, (err) => reject(err instanceof Error ? err : new UnauthorizedException()));
    });
  }

  private flag(context: ExecutionContext, key: string): boolean {
    return this.reflector.getAllAndOverride<boolean>(key, [context.getHandler(), context.getClass()]) === true;
  }
}
