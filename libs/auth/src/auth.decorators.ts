import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './auth.types';

/** Same key the metrics controller uses, so `/metrics` is public without importing auth. */
export const IS_PUBLIC_KEY = 'pjs:isPublic';
export const IS_ADMIN_KEY = 'pjs:isAdmin';

/** Opts a route out of authentication (deny-by-default otherwise). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/** Restricts a route to admin users and to `ADMIN_ALLOWED_IPS`. */
export const Admin = (): MethodDecorator & ClassDecorator => SetMetadata(IS_ADMIN_KEY, true);

/** The authenticated caller. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<{ user?: Principal }>().user,
);
