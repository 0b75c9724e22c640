import { Injectable } from '@nestjs/common';
import { AuditWriter } from '@pjs/audit';
import { DataSource } from 'typeorm';
import { MIN_PASSWORD_LENGTH } from './auth.options';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password-hasher';
import { SessionRepository } from './session.repository';
import { TokenService } from './token.service';
import { UserRepository, type UserSummary } from './user.repository';

/**
 * User accounts: creating them (with a first token for scripts), changing password, role and
 * whether they may log in, and checking a password without telling who exists. Every change is
 * audited in its own transaction.
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly db: DataSource,
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly tokens: TokenService,
    private readonly audit: AuditWriter,
  ) {}

  /** Creates a user and a first API token with the account's scopes (the secret is returned once). */
  async createUser(
    username: string,
    password: string,
    options: { admin?: boolean } = {},
  ): Promise<{ id: number; token: string }> {
    validateUsername(username);
    validatePassword(password);
    const hash = await hashPassword(password);
    return this.db.transaction(async (tx) => {
      const id = await this.users.insert(username, hash, options.admin ?? false, tx);
      await this.audit.record(
        {
          action: 'user.create',
          resource: 'user',
          resourceId: id,
          details: { username, admin: options.admin ?? false },
        },
        tx,
      );
      const { token } = await this.tokens.create({ userId: id, name: 'create-user', scopes: null }, tx);
      return { id, token };
    });
  }

  /** Creates the user, or resets its password and role (provisioning: `pnpm dev`, the Docker drill). */
  async upsertUser(
    username: string,
    password: string,
    options: { admin?: boolean } = {},
  ): Promise<{ id: number; token: string }> {
    const existing = await this.users.findByUsername(username);
    if (!existing) return this.createUser(username, password, options);
    await this.update(existing.id, { password, isAdmin: options.admin ?? false, isActive: true });
    const { token } = await this.tokens.create({ userId: existing.id, name: 'create-user', scopes: null });
    return { id: existing.id, token };
  }

  /** Changes password, role or activity; a deactivated user's sessions end and tokens stop working. */
  async update(id: number, change: { password?: string; isAdmin?: boolean; isActive?: boolean }): Promise<UserSummary> {
    if (change.password !== undefined) validatePassword(change.password);
    const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
    return this.db.transaction(async (tx) => {
      if (!(await this.users.update(id, { passwordHash, isAdmin: change.isAdmin, isActive: change.isActive }, tx))) {
        throw new AccountInputError('user', 'no such user');
      }
      if (change.isActive === false || change.password !== undefined) await this.sessions.endAllOf(id, tx);
      const details: Record<string, unknown> = {};
      if (change.password !== undefined) details.password = 'changed';
      if (change.isAdmin !== undefined) details.admin = change.isAdmin;
      if (change.isActive !== undefined) details.active = change.isActive;
      const action =
        change.isActive === false
          ? 'user.deactivate'
          : change.password !== undefined
            ? 'user.set_password'
            : 'user.update';
      await this.audit.record({ action, resource: 'user', resourceId: id, details }, tx);
      return (await this.users.summary(id, tx))!;
    });
  }

  /** The user of that name (case-insensitive), or an error naming the field. */
  async byUsername(username: string): Promise<UserSummary> {
    const row = await this.users.findByUsername(username);
    if (!row) throw new AccountInputError('user', `no user "${username}"`);
    return (await this.users.summary(row.id))!;
  }

  async byId(id: number): Promise<UserSummary | undefined> {
    return this.users.summary(id);
  }

  list(limit: number, afterId?: number): Promise<UserSummary[]> {
    return this.users.list(limit, afterId);
  }

  count(): Promise<number> {
    return this.users.count();
  }

  /**
   * Checks a username and password. Unknown users cost the same hash as known ones and every
   * refusal looks the same, so neither the answer nor its timing tells who has an account.
   */
  async verifyCredentials(username: string, password: string): Promise<{ id: number; username: string } | undefined> {
    const user = await this.users.findByUsername(username);
    const ok = await verifyPassword(password, user?.password_hash ?? (await DUMMY_PASSWORD_HASH));
    return user && ok && user.is_active ? { id: user.id, username: user.username } : undefined;
  }
}

/** Input an account change cannot take, naming the field at fault. */
export class AccountInputError extends Error {
  constructor(
    readonly field: 'username' | 'password' | 'user',
    message: string,
  ) {
    super(message);
    this.name = 'AccountInputError';
  }
}

function validateUsername(username: string): void {
  if (!/^[\w.@+-]{1,150}$/.test(username)) {
    throw new AccountInputError('username', 'username: 1-150 letters, digits and @.+-_ only');
  }
}

function validatePassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AccountInputError('password', `password: at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > 1024) throw new AccountInputError('password', 'password: at most 1024 characters');
}
