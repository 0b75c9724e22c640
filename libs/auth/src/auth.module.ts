import { Module, type DynamicModule } from '@nestjs/common';
import { AuditController, AuditModule, type AuditOptions } from '@pjs/audit';
import { ACCESS_OPTIONS, AccessControl, CREDENTIAL_VERIFIER, type AccessOptions } from '@pjs/http';
import { TokensAdminController, UsersAdminController } from './account-admin.controller';
import { AccountsService } from './accounts.service';
import { AuthChangeListener } from './auth-change.listener';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { CredentialsVerifier } from './credentials.verifier';
import { LOGIN_THROTTLE_OPTIONS, LoginThrottle } from './login-throttle';
import { PasswordAuthGuard } from './password-auth.guard';
import { PasswordStrategy } from './password.strategy';
import { SessionController } from './session.controller';
import { SessionRepository } from './session.repository';
import { SessionService } from './session.service';
import { TokenEndpoint } from './token-endpoint';
import { TokenLoginController } from './token-login.controller';
import { TokenRepository } from './token.repository';
import { TokenService } from './token.service';
import { UserRepository } from './user.repository';

export interface AuthCoreOptions extends AuthOptions {
  audit?: Partial<AuditOptions>;
}

/**
 * Accounts, tokens, sessions and the audit trail without the HTTP side: for CLIs and workers.
 * Needs `DataSource` and `LOGGER` providers in the app.
 */
@Module({})
export class AuthCoreModule {
  static forRoot(options: AuthCoreOptions): DynamicModule {
    return {
      module: AuthCoreModule,
      imports: [AuditModule.forRoot(options.audit)],
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        UserRepository,
        TokenRepository,
        SessionRepository,
        AuthChangeListener,
        TokenService,
        SessionService,
        AccountsService,
      ],
      exports: [AUTH_OPTIONS, AccountsService, TokenService, SessionService, AuthChangeListener, AuditModule],
    };
  }
}

export interface AuthModuleOptions extends AuthCoreOptions, Omit<AccessOptions, 'policy'> {
  /** Where the service's token endpoint lives: DBU `api-token-auth`, IM `api/token`; none without. */
  tokenEndpointPath?: string;
  /** People's logins and `/api/admin/users|tokens|audit` (ACCOUNT_ROUTES); on unless false. */
  accountRoutes?: boolean;
}

/**
 * For web apps: the pipeline's access check with token and session credentials, the password
 * login of the token endpoint and of people's sessions, and the account administration API
 * (`/api/admin/users|tokens|audit`). Needs `DataSource` and `LOGGER` providers in the app; add
 * ACCOUNT_ROUTES to the service's access policy.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    const access: AccessOptions = {
      policy: options.policy,
      internalAllowedIps: options.internalAllowedIps,
      adminAllowedIps: options.adminAllowedIps,
      emptyAllowlist: options.emptyAllowlist,
    };
    return {
      module: AuthModule,
      imports: [AuthCoreModule.forRoot(options)],
      controllers: [
        ...(options.tokenEndpointPath ? [TokenLoginController(options.tokenEndpointPath)] : []),
        ...(options.accountRoutes === false
          ? []
          : [SessionController, UsersAdminController, TokensAdminController, AuditController]),
      ],
      providers: [
        { provide: ACCESS_OPTIONS, useValue: access },
        { provide: LOGIN_THROTTLE_OPTIONS, useValue: options.loginThrottle },
        { provide: CREDENTIAL_VERIFIER, useExisting: CredentialsVerifier },
        CredentialsVerifier,
        AccessControl,
        LoginThrottle,
        TokenEndpoint,
        PasswordStrategy,
        PasswordAuthGuard,
      ],
      exports: [AccessControl, AuthCoreModule, TokenEndpoint],
    };
  }
}
