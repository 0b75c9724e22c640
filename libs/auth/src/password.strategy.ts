import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { TokenEndpoint } from './token-endpoint';

/** Passport's username/password strategy for the token endpoints (and, later, people's logins). */
@Injectable()
export class PasswordStrategy extends PassportStrategy(Strategy, 'password') {
  constructor(private readonly endpoint: TokenEndpoint) {
    super({ passReqToCallback: true });
  }

  validate(request: FastifyRequest, username: string, password: string): Promise<{ id: number; username: string }> {
    return this.endpoint.login(username, password, request.ip);
  }
}
