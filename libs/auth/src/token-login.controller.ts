import { Controller, HttpCode, Post, Req, UseGuards, type Type } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Endpoint } from '@pjs/http';
import { LOGIN_USER, PasswordAuthGuard, type LoginRequest } from './password-auth.guard';
import { CredentialsSchema, TokenEndpoint, TokenSchema } from './token-endpoint';

/**
 * The token endpoint of a service at `path` (DBU `api-token-auth`, IM `api/token`), DRF's
 * obtain_auth_token: JSON or form body with username and password → `{"token": "..."}`.
 */
export function TokenLoginController(path: string): Type<unknown> {
  @ApiTags('auth')
  @Controller(path)
  class TokenLogin {
    constructor(private readonly endpoint: TokenEndpoint) {}

    @Post()
    @HttpCode(200)
    @UseGuards(PasswordAuthGuard)
    @Endpoint({
      summary: 'Obtain an API token with username and password',
      body: CredentialsSchema,
      consumes: ['application/json', 'application/x-www-form-urlencoded'],
      responses: {
        200: TokenSchema,
        400: 'Missing field, or wrong credentials (not saying which)',
        429: 'Too many failed attempts; see Retry-After',
      },
    })
    obtain(@Req() request: LoginRequest): Promise<{ token: string }> {
      return this.endpoint.issueLoginToken(request[LOGIN_USER]!);
    }
  }
  return TokenLogin;
}
