import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AuthService } from './auth.service';

export interface CreateUserOptions {
  admin?: boolean;
  passwordStdin?: boolean;
}

/** Reads a password from stdin (first line), for `create-user --password-stdin`. */
export async function readPasswordFromStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let data = '';
  for await (const chunk of stdin) data += String(chunk);
  return data.split(/\r?\n/)[0] ?? '';
}

/**
 * `create-user <username> [--admin] [--password-stdin]`: prints the new API token on stdout.
 * Without --password-stdin a random password is generated and shown once on stderr.
 */
export async function createUserCommand(
  dataSource: DataSource,
  username: string,
  options: CreateUserOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; stdin?: NodeJS.ReadableStream } = process,
): Promise<string> {
  let password: string;
  if (options.passwordStdin) {
    password = await readPasswordFromStdin(io.stdin);
  } else {
    password = randomBytes(12).toString('base64url');
    io.stderr.write(`generated password for ${username}: ${password}\n`);
  }
  const token = await new AuthService(dataSource, { tokenCacheTtlMs: 0 }).createUser(username, password, {
    admin: options.admin ?? false,
  });
  io.stdout.write(`${token}\n`);
  return token;
}
