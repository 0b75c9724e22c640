import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public, TokenEndpoint } from '@pjs/auth';

/** `POST /api/token/`: username + password (JSON or form) → `{"token": "..."}`. */
@ApiTags('auth')
@Controller('api')
export class TokenController {
  constructor(private readonly tokens: TokenEndpoint) {}

  @Post(['token', 'token/'])
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Obtain an API token', description: 'Wrong credentials answer 400; repeated failures 429.' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['username', 'password'],
      properties: { username: { type: 'string' }, password: { type: 'string', format: 'password' } },
    },
  })
  @ApiResponse({ status: 200, schema: { type: 'object', properties: { token: { type: 'string' } } } })
  obtain(@Body() body: Record<string, unknown>, @Req() req: Request): Promise<{ token: string }> {
    return this.tokens.obtainToken(body, req.ip ?? '');
  }
}
