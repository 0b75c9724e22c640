import { Injectable } from '@nestjs/common';
import type { CredentialRequest, CredentialVerdict, CredentialVerifier } from '@pjs/http';
import { tokenFromAuthorizationHeader } from './api-token';
import { SESSION_COOKIE, SessionService } from './session.service';
import { TokenService } from './token.service';

/**
 * The pipeline's credential check: an API token in `Authorization: Token <t>` / `Bearer <t>`
 * (programs), else the session cookie (people in the admin UI).
 */
@Injectable()
export class CredentialsVerifier implements CredentialVerifier {
  constructor(
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
  ) {}

  verify(request: CredentialRequest): CredentialVerdict | Promise<CredentialVerdict> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const token = tokenFromAuthorizationHeader(typeof header === 'string' ? header : undefined);
      return token === undefined ? undefined : this.tokens.authenticate(token);
    }
    const secret = sessionCookie(request.headers.cookie);
    return secret === undefined ? undefined : this.sessions.verify(secret, request);
  }
}

/** The session secret from a Cookie header (the first `pjs_session`, if well-formed). */
export function sessionCookie(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) return undefined;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}
