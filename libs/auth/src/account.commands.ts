import type { INestApplicationContext } from '@nestjs/common';
import { AuditReader, AuditRetention, sinceOf } from '@pjs/audit';
import { runWithCorrelationId, newCorrelationId, currentCorrelationContext } from '@pjs/logger';
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { AccountsService } from './accounts.service';
import { createUserCommand, readPasswordFromStdin, type CommandIo } from './create-user.command';
import { TokenService } from './token.service';
import { MAX_TOKEN_LIFETIME_DAYS, TOKEN_LIFETIME_RULE, parseTokenLifetime } from './token-lifetime';

/** Runs a command inside the service's CLI application context (opened and closed around it). */
export type WithApp = <T>(run: (app: INestApplicationContext) => Promise<T>) => Promise<T>;

/** Runs a command with an operator as the audit trail's actor (`cli:<os user>`). */
function asOperator<T>(withApp: WithApp, run: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  return withApp((app) =>
    runWithCorrelationId(`cli-${newCorrelationId()}`, () => {
      const context = currentCorrelationContext()!;
      context.actor = { userId: null, username: `cli:${operatorName()}` };
      return run(app);
    }),
  );
}

function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

const pad = (text: string, width: number) => text.padEnd(width);
const when = (d: Date | null) => (d ? d.toISOString().replace('.000Z', 'Z') : '-');

/**
 * The account commands of a service's CLI: `users list|create|deactivate|set-password`,
 * `tokens create|list|revoke`, `audit`. `withApp` runs them in an application context with
 * AuthCoreModule.
 */
export function addAccountCommands(program: Command, open: WithApp, io: CommandIo = process): void {
  program
    .command('create-user')
    .argument('<username>')
    .option('--admin', 'every scope, and the admin pages')
    .option('--password-stdin', 'read the password (at least 12 characters) from stdin')
    .description('create a user and print an API token with the account’s scopes (same as `users create`)')
    .action((username: string, options: { admin?: boolean; passwordStdin?: boolean }) =>
      asOperator(open, async (app) => {
        await createUserCommand(app.get(AccountsService), username, options, io);
      }),
    );

  const users = program.command('users').description('user accounts');
  users
    .command('list')
    .description('list users')
    .action(() =>
      asOperator(open, async (app) => {
        const rows = await app.get(AccountsService).list(10_000);
        io.stdout.write(`${pad('ID', 6)}${pad('USERNAME', 24)}${pad('ADMIN', 7)}${pad('ACTIVE', 8)}LAST LOGIN\n`);
        for (const u of rows) {
          io.stdout.write(
            `${pad(String(u.id), 6)}${pad(u.username, 24)}${pad(u.is_admin ? 'yes' : 'no', 7)}${pad(u.is_active ? 'yes' : 'no', 8)}${when(u.last_login_at)}\n`,
          );
        }
      }),
    );
  users
    .command('create')
    .argument('<username>')
    .option('--admin', 'all scopes, and the admin pages')
    .option('--password-stdin', 'read the password (at least 12 characters) from stdin')
    .description('create a user; prints a first API token with the account’s scopes')
    .action((username: string, options: { admin?: boolean; passwordStdin?: boolean }) =>
      asOperator(open, async (app) => {
        await createUserCommand(app.get(AccountsService), username, options, io);
      }),
    );
  users
    .command('deactivate')
    .argument('<username>')
    .description('stop a user from logging in; their sessions end and their tokens stop working')
    .action((username: string) =>
      asOperator(open, async (app) => {
        const accounts = app.get(AccountsService);
        const user = await accounts.byUsername(username);
        await accounts.update(user.id, { isActive: false });
        io.stdout.write(`deactivated ${user.username}\n`);
      }),
    );
  users
    .command('set-password')
    .argument('<username>')
    .option('--password-stdin', 'read the new password from stdin (else one is generated and shown)')
    .description('set a user’s password (at least 12 characters); their sessions end')
    .action((username: string, options: { passwordStdin?: boolean }) =>
      asOperator(open, async (app) => {
        const accounts = app.get(AccountsService);
        const user = await accounts.byUsername(username);
        const password = options.passwordStdin
          ? await readPasswordFromStdin(io.stdin)
          : generatedPassword(io, username);
        await accounts.update(user.id, { password });
        io.stdout.write(`password of ${user.username} changed\n`);
      }),
    );

  const tokens = program.command('tokens').description('API tokens for programs');
  tokens
    .command('create')
    .requiredOption('--user <username>', 'the owner')
    .requiredOption('--name <label>', 'what it is for, e.g. "mail parser"')
    .requiredOption('--scope <scopes...>', 'what it may do (see the access table in docs/contracts.md)')
    .option('--expires <duration>', `e.g. 90d, at most ${MAX_TOKEN_LIFETIME_DAYS}d; default: no expiry`)
    .description('make a token; prints the secret once on stdout')
    .action((options: { user: string; name: string; scope: string[]; expires?: string }) =>
      asOperator(open, async (app) => {
        const expiresInMs = options.expires === undefined ? undefined : parseTokenLifetime(options.expires);
        if (options.expires !== undefined && !expiresInMs)
          throw new Error(`--expires: "${options.expires}" is not ${TOKEN_LIFETIME_RULE}`);
        const owner = await app.get(AccountsService).byUsername(options.user);
        const scopes = options.scope
          .flatMap((s) => s.split(','))
          .map((s) => s.trim())
          .filter(Boolean);
        const { token, summary } = await app
          .get(TokenService)
          .create({ userId: owner.id, name: options.name, scopes, expiresInMs });
        io.stderr.write(
          `token ${summary.id} (${summary.prefix}…) for ${owner.username}: ${summary.scopes?.join(' ')}; expires ${when(summary.expires_at)}\n`,
        );
        io.stdout.write(`${token}\n`);
      }),
    );
  tokens
    .command('list')
    .option('--user <username>', 'only this user’s tokens')
    .option('--all', 'include revoked and expired tokens')
    .description('list tokens (never their secrets)')
    .action((options: { user?: string; all?: boolean }) =>
      asOperator(open, async (app) => {
        const userId = options.user ? (await app.get(AccountsService).byUsername(options.user)).id : undefined;
        const rows = await app.get(TokenService).list({ userId, includeRevoked: options.all, limit: 10_000 });
        io.stdout.write(
          `${pad('ID', 6)}${pad('PREFIX', 15)}${pad('USER', 16)}${pad('KIND', 8)}${pad('NAME', 20)}${pad('SCOPES', 34)}${pad('EXPIRES', 22)}${pad('LAST USED', 22)}REVOKED\n`,
        );
        for (const t of rows) {
          io.stdout.write(
            `${pad(String(t.id), 6)}${pad(t.prefix ?? '-', 15)}${pad(t.username, 16)}${pad(t.kind, 8)}${pad(t.name, 20)}${pad(t.scopes?.join(',') ?? '(account)', 34)}${pad(when(t.expires_at), 22)}${pad(when(t.last_used_at), 22)}${when(t.revoked_at)}\n`,
          );
        }
      }),
    );
  tokens
    .command('revoke')
    .argument('<id-or-prefix>')
    .description('revoke a token by id or by its visible prefix; refused everywhere within a second')
    .action((idOrPrefix: string) =>
      asOperator(open, async (app) => {
        const service = app.get(TokenService);
        const token = await service.find(idOrPrefix);
        if (!(await service.revoke(token.id))) throw new Error(`token ${token.id} is already revoked`);
        io.stdout.write(`revoked token ${token.id} (${token.prefix ?? 'no prefix'}) of ${token.username}\n`);
      }),
    );

  program
    .command('audit')
    .option('--since <when>', 'a duration back from now (1d, 12h) or an ISO time', '1d')
    .option('--actor <username>', 'only what this user (or cli:<name>) did')
    .option('--action <action>', 'e.g. login, token.create, product.update')
    .option('--limit <n>', 'at most this many rows', '200')
    .description('show the audit trail, newest first')
    .action((options: { since: string; actor?: string; action?: string; limit: string }) =>
      asOperator(open, async (app) => {
        const { results } = await app.get(AuditReader).list({
          since: sinceOf(options.since),
          actor: options.actor,
          action: options.action,
          limit: Math.max(1, Math.min(Number(options.limit) || 200, 10_000)),
        });
        for (const r of results) {
          io.stdout.write(
            `${r.at}  ${pad(r.outcome, 7)}${pad(r.actor ?? '-', 20)}${pad(r.token_prefix ?? '', 14)}${pad(r.action, 20)}${r.resource}${r.resource_id ? ` ${r.resource_id}` : ''}  ${r.client_ip ?? ''} ${r.request_id ?? ''}${r.details ? ` ${JSON.stringify(r.details)}` : ''}\n`,
          );
        }
      }),
    );

  program
    .command('audit-prune')
    .description(
      'apply the audit retention now: delete rows older than AUDIT_RETENTION, blank addresses older than AUDIT_IP_RETENTION',
    )
    .action(() =>
      asOperator(open, async (app) => {
        const { deleted, addressesBlanked } = await app.get(AuditRetention).run();
        io.stdout.write(`deleted ${deleted} audit row(s); blanked ${addressesBlanked} client address(es)\n`);
      }),
    );
}

function generatedPassword(io: CommandIo, username: string): string {
  const password = randomBytes(18).toString('base64url');
  io.stderr.write(`generated password for ${username}: ${password}\n`);
  return password;
}
