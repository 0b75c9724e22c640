import { randomBytes } from 'node:crypto';
import { AuthService } from '@pjs/auth';
import type { DataSource } from 'typeorm';

export interface TestUser {
  username: string;
  password: string;
  token: string;
}

/** A user with a known password and a fresh API token. */
export async function createTestUser(
  dataSource: DataSource,
  options: { admin?: boolean; username?: string } = {},
): Promise<TestUser> {
  const username = options.username ?? `user_${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const token = await new AuthService(dataSource, { tokenCacheTtlMs: 0 }).createUser(username, password, {
    admin: options.admin ?? false,
  });
  return { username, password, token };
}
