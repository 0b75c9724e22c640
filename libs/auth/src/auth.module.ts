import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { DataSource } from 'typeorm';
import { AuthService } from './auth.service';
import { AUTH_OPTIONS, IpAllowlistGuard, type AllowlistOptions } from './ip-allowlist.guard';
import type { ThrottleOptions } from './login-throttle';
import { TokenAuthGuard } from './token-auth.guard';
import { TokenEndpoint } from './token-endpoint';
import { TokenStrategy } from './token.strategy';

export interface AuthModuleOptions extends AllowlistOptions {
  tokenCacheTtlMs?: number;
  loginThrottle?: ThrottleOptions;
}

/**
 * For web apps only: registers the allowlist guard and the deny-by-default token guard globally
 * (in that order) and provides AuthService and TokenEndpoint. Needs a `DataSource` provider.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      imports: [PassportModule],
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        {
          provide: AuthService,
          inject: [DataSource],
          useFactory: (db: DataSource) => new AuthService(db, { tokenCacheTtlMs: options.tokenCacheTtlMs }),
        },
        {
          provide: TokenEndpoint,
          inject: [AuthService],
          useFactory: (auth: AuthService) => new TokenEndpoint(auth, options.loginThrottle),
        },
        TokenStrategy,
        { provide: APP_GUARD, useClass: IpAllowlistGuard },
        { provide: APP_GUARD, useClass: TokenAuthGuard },
      ],
      exports: [AuthService, TokenEndpoint],
    };
  }
}
