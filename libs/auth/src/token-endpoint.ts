import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TObject, TString } from '@sinclair/typebox';
import { AuditWriter } from '@pjs/audit';
import { ApiException, Obj, RateLimitedException, Text } from '@pjs/http';
import { AccountsService } from './accounts.service';
import { LoginThrottle } from './login-throttle';
import { TokenService } from './token.service';

/** The DRF answer for wrong credentials: 400, not saying which field was wrong. */
export class BadCredentialsException extends ApiException {
  constructor() {
    super(400, 'invalid_credentials', 'Unable to log in with provided credentials.');
  }
}

/** The body of the login endpoints (JSON or form), validated before anything else runs. */
export const CredentialsSchema: TObject<{ username: TString; password: TString }> = Obj(
  {
    username: Text(1024, { minLength: 1 }),
    password: Text(1024, { minLength: 1 }),
  },
  { title: 'Credentials' },
);

export const TokenSchema: TObject<{ token: TString }> = Obj(
  { token: Text(200, { description: 'Send as `Authorization: Token <token>` or `Bearer <token>`' }) },
  { title: 'Token' },
);

/**
 * Password logins, for the token endpoints and the admin UI's sessions alike: counts the attempt
 * first (LoginThrottle, shared across processes), checks the password, audits the outcome.
 */
@Injectable()
export class TokenEndpoint {
  constructor(
    private readonly db: DataSource,
    private readonly accounts: AccountsService,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditWriter,
  ) {}

  /** The user for valid credentials; throws 429 while throttled and 400 when wrong. */
  async login(username: string, password: string, ip: string): Promise<{ id: number; username: string }> {
    const attempted = { username: username.slice(0, 150) };
    const wait = await this.throttle.reserve(ip, username);
    if (wait > 0) {
      await this.audit.record({
        action: 'login',
        resource: 'account',
        outcome: 'denied',
        actor: attempted,
        details: { reason: 'throttled' },
      });
      throw new RateLimitedException(wait, 'Too many failed logins; try again later.');
    }
    const user = await this.accounts.verifyCredentials(username, password);
    if (!user) {
      await this.audit.record({ action: 'login', resource: 'account', outcome: 'failed', actor: attempted });
      throw new BadCredentialsException();
    }
    await this.throttle.release(ip, username);
    return user;
  }

  /** The token a password login answers with (expires after TOKEN_TTL); audited. */
  async issueLoginToken(user: { id: number; username: string }): Promise<{ token: string }> {
    return this.db.transaction(async (tx) => {
      const token = await this.tokens.issueLoginToken(user.id, tx);
      await this.audit.record(
        {
          action: 'login',
          resource: 'token',
          actor: { userId: user.id, username: user.username, tokenPrefix: token.slice(0, 12) },
        },
        tx,
      );
      return { token };
    });
  }
}
