import { Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiException, CurrentPrincipal, Endpoint, Type, type Principal } from '@pjs/http';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { sessionCookie } from './credentials.verifier';
import { LOGIN_USER, PasswordAuthGuard, type LoginRequest } from './password-auth.guard';
import { SESSION_COOKIE, SessionService, csrfTokenOf } from './session.service';
import { CredentialsSchema } from './token-endpoint';

const SessionSchema = Type.Object(
  {
    user: Type.Object({
      id: Type.Integer(),
      username: Type.String(),
      is_admin: Type.Boolean(),
      scopes: Type.Array(Type.String()),
    }),
    csrf_token: Type.String({ description: 'Send as X-CSRF-Token with every change made with this session' }),
    expires_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { title: 'Session' },
);

/**
 * People's logins for the admin UI: `POST /admin/login` sets the session cookie (HttpOnly,
 * SameSite=Strict, Secure outside development), `POST /admin/logout` ends it, `GET /admin/session`
 * tells the page who is logged in and its CSRF token.
 */
@ApiTags('session')
@Controller('admin')
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  @Post('login')
  @HttpCode(200)
  @UseGuards(PasswordAuthGuard)
  @Endpoint({
    summary: 'Log in a person: sets the session cookie',
    body: CredentialsSchema,
    consumes: ['application/json', 'application/x-www-form-urlencoded'],
    responses: { 200: SessionSchema, 400: 'Missing field, or wrong credentials', 429: 'Too many failed attempts' },
  })
  async login(@Req() request: LoginRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const user = request[LOGIN_USER]!;
    const started = await this.sessions.start(user.id, {
      ip: request.ip,
      userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined,
    });
    reply.header('set-cookie', this.cookie(started.secret, this.sessions.maxAgeSeconds));
    reply.header('cache-control', 'no-store');
    const principal = await this.sessions.verify(started.secret, { method: 'GET', headers: {} });
    return {
      user: describe(principal as Principal),
      csrf_token: started.csrfToken,
      expires_at: started.expiresAt.toISOString(),
    };
  }

  @Post('logout')
  @HttpCode(204)
  @Endpoint({ summary: 'End this session', responses: { 204: 'Ended', 401: 'No session', 403: 'CSRF check failed' } })
  async logout(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    if (principal.via !== 'session' || principal.sessionId === undefined) {
      throw new ApiException(400, 'not_a_session', 'Only a browser session can log out; revoke tokens instead.');
    }
    await this.sessions.end(principal.sessionId);
    reply.header('set-cookie', this.cookie('', 0));
  }

  @Get('session')
  @Endpoint({
    summary: 'Who is logged in, and the CSRF token of the session',
    responses: { 200: SessionSchema, 401: 'No session' },
  })
  session(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const secret = sessionCookie(request.headers.cookie);
    if (principal.via !== 'session' || !secret) {
      throw new ApiException(400, 'not_a_session', 'This is for browser sessions; tokens have no CSRF token.');
    }
    reply.header('cache-control', 'no-store');
    return { user: describe(principal), csrf_token: csrfTokenOf(secret) };
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    const secure = this.options.secureCookies ?? true;
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
  }
}

function describe(principal: Principal) {
  return {
    id: principal.userId,
    username: principal.username,
    is_admin: principal.isAdmin,
    scopes: [...principal.scopes].sort(),
  };
}
