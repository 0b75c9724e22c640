import { Module, type DynamicModule } from '@nestjs/common';
import { ACCESS_OPTIONS, AccessControl, type AccessOptions } from './access-control';

/**
 * The access check of a web app. Services with accounts get it through the auth library's
 * AuthModule (which adds the credential verifier); a service without accounts (is-web) imports
 * this directly and may only have public routes.
 */
@Module({})
export class AccessModule {
  static forRoot(options: AccessOptions): DynamicModule {
    return {
      module: AccessModule,
      providers: [{ provide: ACCESS_OPTIONS, useValue: options }, AccessControl],
      exports: [AccessControl, ACCESS_OPTIONS],
    };
  }
}
