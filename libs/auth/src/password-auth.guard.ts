import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import passport from 'passport';
import { PasswordStrategy } from './password.strategy';
import { BadCredentialsException } from './token-endpoint';

/** The login's user id, for the controller behind the guard. */
export const LOGIN_USER = Symbol('loginUser');
export type LoginRequest = FastifyRequest & { [LOGIN_USER]?: { id: number; username: string } };

/**
 * Runs this app's password strategy on a login route (not the process-wide one registered by
 * name: two apps in one process, as in the tests, would check each other's users). A failure is
 * DRF's 400, never a 401; a throttled caller gets the strategy's 429.
 */
@Injectable()
export class PasswordAuthGuard implements CanActivate {
  constructor(private readonly strategy: PasswordStrategy) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<LoginRequest>();
    request[LOGIN_USER] = await new Promise<{ id: number; username: string }>((resolve, reject) => {
      // A fresh object per request: passport attaches the request's callbacks to the strategy.
      const authenticate = passport.authenticate(
        Object.create(this.strategy) as PasswordStrategy,
        { session: false },
        (err: unknown, user: { id: number; username: string } | false | undefined) => {
          if (err) reject(err instanceof Error ? err : new BadCredentialsException());
          else if (!user) reject(new BadCredentialsException());
          else resolve(user);
        },
      ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
      authenticate(request, http.getResponse<FastifyReply>(), (err) =>
        reject(err instanceof Error ? err : new BadCredentialsException()),
      );
    });
    return true;
  }
}
