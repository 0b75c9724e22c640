import { FieldValidationException, ApiException, RateLimitedException } from '@pjs/http';
import type { AuthService } from './auth.service';
import { LoginThrottle, type ThrottleOptions } from './login-throttle';

/** The DRF answer for wrong credentials: 400, not saying which field was wrong. */
export class BadCredentialsException extends ApiException {
  constructor() {
    super(400, 'invalid_credentials', 'Unable to log in with provided credentials.');
  }
}

/**
 * The building block behind `POST /api-token-auth/` and `POST /api/token/`: accepts JSON or form
 * bodies with `username` and `password`, issues a new token, and rate-limits repeated failures
 * per address and per (address, username).
 */
export class TokenEndpoint {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly auth: AuthService,
    throttle?: ThrottleOptions,
  ) {
    this.throttle = new LoginThrottle(throttle);
  }

  async obtainToken(body: unknown, ip: string): Promise<{ token: string }> {
    const { username, password } = readCredentials(body);
    const wait = this.throttle.retryAfterSeconds(ip, username);
    if (wait > 0) throw new RateLimitedException(wait, 'Too many failed logins; try again later.');
    const user = await this.auth.verifyCredentials(username, password);
    if (!user) {
      this.throttle.recordFailure(ip, username);
      throw new BadCredentialsException();
    }
    this.throttle.recordSuccess(ip, username);
    return { token: await this.auth.issueToken(user.id, 'login') };
  }
}

function readCredentials(body: unknown): { username: string; password: string } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  for (const field of ['username', 'password'] as const) {
    const value = b[field];
    if (value === undefined || value === null || value === '') throw new FieldValidationException(field, 'is required');
    if (typeof value !== 'string') throw new FieldValidationException(field, 'must be a string');
    if (value.length > 1024) throw new FieldValidationException(field, 'is too long');
  }
  return { username: b.username as string, password: b.password as string };
}
