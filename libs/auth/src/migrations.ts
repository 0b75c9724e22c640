import { AuditLog1765000000002, AuditNoTruncate1766200000001 } from '@pjs/audit';
import { AuthAccounts1765000000001 } from './accounts.migration';
import { AuthSchema1732200000000 } from './auth-schema.migration';
import { AuthLoginThrottle1765000000000 } from './login-throttle.migration';

/** Every migration of the accounts schema (and the audit trail), in order: a service lists these first. */
export const authMigrations = [
  AuthSchema1732200000000,
  AuthLoginThrottle1765000000000,
  AuthAccounts1765000000001,
  AuditLog1765000000002,
  AuditNoTruncate1766200000001,
];
