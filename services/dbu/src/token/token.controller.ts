import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Public, TokenEndpoint } from '@pjs/auth';
import { ErrorDto } from '../products/dto/product.response';

export class CredentialsDto {
  @ApiProperty() username!: string;
  @ApiProperty() password!: string;
}

export class TokenDto {
  @ApiProperty({ description: 'Send as `Authorization: Token <token>` or `Bearer <token>`' }) token!: string;
}

/** `POST /api-token-auth/` (DRF's obtain_auth_token): JSON or form body. */
@ApiTags('auth')
@Controller('api-token-auth')
export class TokenController {
  constructor(private readonly endpoint: TokenEndpoint) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Obtain an API token with username and password' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: CredentialsDto })
  @ApiOkResponse({ type: TokenDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Missing field, or wrong credentials (not saying which)' })
  @ApiTooManyRequestsResponse({ type: ErrorDto, description: 'Too many failed attempts; see Retry-After' })
  obtain(@Body() body: unknown, @Req() req: Request): Promise<{ token: string }> {
    return this.endpoint.obtainToken(body, req.ip ?? 'unknown');
  }
}
