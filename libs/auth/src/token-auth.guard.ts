import { ForbiddenException, Injectable, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_ADMIN_KEY, IS_PUBLIC_KEY } from './auth.decorators';
import type { Principal } from './auth.types';

/** Global, deny-by-default: every route needs a valid token unless marked `@Public()`. */
@Injectable()
export class TokenAuthGuard extends AuthGuard('token') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.flag(context, IS_PUBLIC_KEY)) return true;
    await (super.canActivate(context) as Promise<boolean>);
    const user = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (this.flag(context, IS_ADMIN_KEY) && !user?.isAdmin) {
      throw new ForbiddenException({ code: 'admin_required', message: 'This action needs an admin token.' });
    }
    return true;
  }

  override handleRequest<T = Principal>(err: unknown, user: T | false): T {
    if (err instanceof Error) throw err;
    if (err) throw new UnauthorizedException();
    if (!user) {
      throw new UnauthorizedException({
        code: 'not_authenticated',
        message: 'Authentication credentials were not provided or are invalid.',
      });
    }
    return user;
  }

  private flag(context: ExecutionContext, key: string): boolean {
    return this.reflector.getAllAndOverride<boolean>(key, [context.getHandler(), context.getClass()]) === true;
  }
}
