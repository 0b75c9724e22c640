import type { DataSource } from 'typeorm';
import { generateToken, hashToken } from './api-token';
import { AuthRepository } from './auth.repository';
import type { Principal } from './auth.types';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password-hasher';
import { TokenCache } from './token-cache';

export interface AuthServiceOptions {
  /** How long a verified token is trusted without asking the database again. */
  tokenCacheTtlMs?: number;
}

/** Users, passwords and API tokens: the rules; SQL lives in AuthRepository. */
export class AuthService {
  readonly repository: AuthRepository;
  private readonly cache: TokenCache<Principal>;

  constructor(db: DataSource, options: AuthServiceOptions = {}) {
    this.repository = new AuthRepository(db);
    this.cache = new TokenCache(options.tokenCacheTtlMs ?? 30_000);
  }

  /** Creates a user and a first API token (returned once, never stored in clear). */
  async createUser(username: string, password: string, options: { admin?: boolean } = {}): Promise<string> {
    validateCredentials(username, password);
    const userId = await this.repository.insertUser(username, await hashPassword(password), options.admin ?? false);
    return this.issueToken(userId, 'create-user');
  }

  /** Creates the user or resets its password and role (for provisioning scripts). */
  async upsertUser(username: string, password: string, options: { admin?: boolean } = {}): Promise<string> {
    validateCredentials(username, password);
    const hash = await hashPassword(password);
    const userId =
      (await this.repository.updateUser(username, hash, options.admin ?? false)) ??
      (await this.repository.insertUser(username, hash, options.admin ?? false));
    return this.issueToken(userId, 'create-user');
  }

  async issueToken(userId: number, name: string): Promise<string> {
    const token = generateToken();
    await this.repository.insertToken(userId, name, hashToken(token));
    return token;
  }

  /** Checks a username and password; the same work is done for unknown users (no timing oracle). */
  async verifyCredentials(username: string, password: string): Promise<{ id: number } | undefined> {
    const user = await this.repository.findUserByUsername(username);
    const ok = await verifyPassword(password, user?.password_hash ?? (await DUMMY_PASSWORD_HASH));
    return user && ok && user.is_active ? { id: user.id } : undefined;
  }

  async authenticateToken(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const principal = await this.repository.findPrincipalByTokenHash(hash);
    if (principal) {
      this.cache.set(hash, principal);
      this.repository.touchToken(principal.tokenId).catch(() => undefined);
    }
    return principal;
  }

  async revokeToken(tokenId: number): Promise<void> {
    await this.repository.revokeToken(tokenId);
    this.cache.clear();
  }
}

export class InvalidCredentialsInput extends Error {
  constructor(
    readonly field: 'username' | 'password',
    message: string,
  ) {
    super(message);
    this.name = 'InvalidCredentialsInput';
  }
}

function validateCredentials(username: string, password: string): void {
  if (!/^[\w.@+-]{1,150}$/.test(username)) {
    throw new InvalidCredentialsInput('username', 'username: 1-150 letters, digits and @.+-_ only');
  }
  if (password.length < 8) throw new InvalidCredentialsInput('password', 'password: at least 8 characters');
}
