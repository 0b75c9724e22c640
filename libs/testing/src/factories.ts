import { randomBytes } from 'node:crypto';
import { generateToken, hashPassword, hashToken, visiblePrefix } from '@pjs/auth';
import type { DataSource } from 'typeorm';

export interface TestUser {
  id: number;
  username: string;
  password: string;
  token: string;
}

/** A user with a known password and a fresh API token with the account's scopes. */
export async function createTestUser(
  dataSource: DataSource,
  options: { admin?: boolean; username?: string } = {},
): Promise<TestUser> {
  const username = options.username ?? `user_${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const [{ id }] = await dataSource.query<{ id: number }[]>(
    `INSERT INTO auth_users (username, password_hash, is_admin) VALUES ($1, $2, $3) RETURNING id`,
    [username, await hashPassword(password), options.admin ?? false],
  );
  const token = generateToken();
  await dataSource.query(
    `INSERT INTO auth_tokens (user_id, name, token_hash, prefix, kind) VALUES ($1, 'create-user', $2, $3, 'api')`,
    [id, hashToken(token), visiblePrefix(token)],
  );
  return { id, username, password, token };
}
