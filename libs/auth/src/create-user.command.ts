import { randomBytes } from 'node:crypto';
import type { AccountsService } from './accounts.service';

export interface CreateUserOptions {
  admin?: boolean;
  passwordStdin?: boolean;
}

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
}

/** Reads a password from stdin (first line), for `--password-stdin`. */
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
  accounts: AccountsService,
  username: string,
  options: CreateUserOptions,
  io: CommandIo = process,
): Promise<string> {
  let password: string;
  if (options.passwordStdin) {
    password = await readPasswordFromStdin(io.stdin);
  } else {
    password = randomBytes(18).toString('base64url');
    io.stderr.write(`generated password for ${username}: ${password}\n`);
  }
  const { token } = await accounts.createUser(username, password, { admin: options.admin ?? false });
  io.stdout.write(`${token}\n`);
  return token;
}
