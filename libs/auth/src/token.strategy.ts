import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import { tokenFromAuthorizationHeader } from './api-token';
import { AuthService } from './auth.service';
import type { Principal } from './auth.types';

/** Passport strategy for `Authorization: Token <t>` and `Authorization: Bearer <t>`. */
@Injectable()
export class TokenStrategy extends PassportStrategy(Strategy, 'token') {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async validate(req: Request): Promise<Principal | false> {
    const token = tokenFromAuthorizationHeader(req.headers.authorization);
    if (!token) return false;
    return (await this.auth.authenticateToken(token)) ?? false;
  }
}
