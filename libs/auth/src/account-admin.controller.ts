import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ApiException,
  CurrentPrincipal,
  Endpoint,
  FieldValidationException,
  Int,
  Nullable,
  NotFoundApiException,
  Obj,
  PageSchema,
  Text,
  Type,
  listLink,
  type Page,
  type Principal,
  type Static,
} from '@pjs/http';
import { AccountInputError, AccountsService } from './accounts.service';
import { idCursor } from './id-cursor';
import { DuplicateUserError, type UserSummary } from './user.repository';
import { TokenRequestError, TokenService } from './token.service';
import type { TokenSummary } from './token.repository';
import { MAX_TOKEN_LIFETIME_DAYS, TOKEN_LIFETIME_RULE, parseTokenLifetime } from './token-lifetime';

const UserSchema = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    is_admin: Type.Boolean(),
    is_active: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    last_login_at: Nullable(Type.String({ format: 'date-time' })),
    password_changed_at: Nullable(Type.String({ format: 'date-time' })),
  },
  { title: 'User' },
);

const TokenInfoSchema = Type.Object(
  {
    id: Type.Integer(),
    user_id: Type.Integer(),
    username: Type.String(),
    name: Type.String(),
    kind: Type.String({ description: 'login (from a password login), api (made for a program), legacy' }),
    prefix: Nullable(Type.String({ description: 'The first characters of the secret, to tell tokens apart' })),
    scopes: Nullable(Type.Array(Type.String(), { description: "null: the account's scopes" })),
    created_at: Type.String({ format: 'date-time' }),
    expires_at: Nullable(Type.String({ format: 'date-time' })),
    last_used_at: Nullable(Type.String({ format: 'date-time' })),
    revoked_at: Nullable(Type.String({ format: 'date-time' })),
  },
  { title: 'TokenInfo' },
);

const ListQuery = Obj({
  cursor: Type.Optional(Text(20, { description: 'From the `next` link of the previous page' })),
  limit: Type.Optional(Int(1, 500, { default: 50 })),
});
const TokenListQuery = Obj({
  ...ListQuery.properties,
  user: Type.Optional(Text(150, { description: 'Only this user’s tokens' })),
  include_revoked: Type.Optional(Type.Boolean({ default: false })),
});
const IdParams = Obj({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

const NewUserSchema = Obj({
  username: Text(150, { minLength: 1 }),
  password: Text(1024, { minLength: 12, description: 'At least 12 characters' }),
  is_admin: Type.Optional(Type.Boolean({ default: false })),
});
const UserChangeSchema = Obj({
  password: Type.Optional(Text(1024, { minLength: 12 })),
  is_admin: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(
    Type.Boolean({ description: 'false: the user can no longer log in; sessions end, tokens stop working' }),
  ),
});
const NewTokenSchema = Obj({
  user: Text(150, { minLength: 1, description: 'Username of the owner' }),
  name: Text(100, { minLength: 1, description: 'What it is for, e.g. "mail parser"' }),
  scopes: Type.Array(Text(40), {
    minItems: 1,
    maxItems: 20,
    description: 'What the token may do (see the access table)',
  }),
  expires_in: Type.Optional(
    Text(20, { description: `A duration: 90d, 12h, at most ${MAX_TOKEN_LIFETIME_DAYS}d; omitted: no expiry` }),
  ),
});
const IssuedTokenSchema = Type.Object(
  { token: Type.String({ description: 'The secret, shown this once only' }), info: TokenInfoSchema },
  { title: 'IssuedToken' },
);

/** 100 years: beyond it an expiry is no expiry, and ages of days would make no date at all (a 500). */

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const userView = (u: UserSummary) => ({
  ...u,
  created_at: u.created_at.toISOString(),
  last_login_at: iso(u.last_login_at),
  password_changed_at: iso(u.password_changed_at),
});
const tokenView = (t: TokenSummary) => ({
  ...t,
  created_at: t.created_at.toISOString(),
  expires_at: iso(t.expires_at),
  last_used_at: iso(t.last_used_at),
  revoked_at: iso(t.revoked_at),
});

function asFieldError(err: unknown): never {
  if (err instanceof AccountInputError || err instanceof TokenRequestError) {
    if (err.message.startsWith('no such user') || err.message.startsWith('no token'))
      throw new NotFoundApiException(err.field);
    throw new FieldValidationException(err.field, err.message.replace(/^\w+: /, ''));
  }
  if (err instanceof DuplicateUserError) throw new ApiException(409, 'duplicate_user', err.message);
  throw err;
}

/** `/api/admin/users/`: the accounts of the service (admin scope). */
@ApiTags('admin')
@Controller('api/admin/users')
export class UsersAdminController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @Endpoint({ summary: 'Users, by id', query: ListQuery, responses: { 200: PageSchema(UserSchema, 'UserPage') } })
  async list(@Query() query: Static<typeof ListQuery>): Promise<Page<ReturnType<typeof userView>>> {
    const limit = query.limit ?? 50;
    const after = idCursor(query.cursor);
    const rows = await this.accounts.list(limit + 1, after);
    const page = rows.slice(0, limit);
    return {
      count: await this.accounts.count(),
      next: rows.length > limit ? listLink('/api/admin/users/', { cursor: page[page.length - 1].id, limit }) : null,
      previous: null,
      results: page.map(userView),
    };
  }

  @Post()
  @HttpCode(201)
  @Endpoint({
    summary: 'Create a user; answers the user and a first token with its scopes (shown once)',
    body: NewUserSchema,
    responses: { 201: Type.Object({ user: UserSchema, token: Type.String() }), 409: 'The username exists' },
  })
  async create(@Body() body: Static<typeof NewUserSchema>) {
    try {
      const { id, token } = await this.accounts.createUser(body.username, body.password, { admin: body.is_admin });
      return { user: userView((await this.accounts.byId(id))!), token };
    } catch (err) {
      asFieldError(err);
    }
  }

  @Get(':id')
  @Endpoint({ summary: 'One user', params: IdParams, responses: { 200: UserSchema, 404: 'No such user' } })
  async get(@Param('id') id: number) {
    const user = await this.accounts.byId(id);
    if (!user) throw new NotFoundApiException('user');
    return userView(user);
  }

  @Patch(':id')
  @Endpoint({
    summary: 'Change password, role or whether the user may log in',
    params: IdParams,
    body: UserChangeSchema,
    responses: { 200: UserSchema, 404: 'No such user' },
  })
  async update(
    @Param('id') id: number,
    @Body() body: Static<typeof UserChangeSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    if (id === me.userId && (body.is_active === false || body.is_admin === false)) {
      throw new ApiException(409, 'self_lockout', 'You cannot deactivate yourself or remove your own admin role.');
    }
    try {
      return userView(
        await this.accounts.update(id, { password: body.password, isAdmin: body.is_admin, isActive: body.is_active }),
      );
    } catch (err) {
      asFieldError(err);
    }
  }
}

/** `/api/admin/tokens/`: API tokens for programs (admin scope); a new secret is shown once. */
@ApiTags('admin')
@Controller('api/admin/tokens')
export class TokensAdminController {
  constructor(
    private readonly tokens: TokenService,
    private readonly accounts: AccountsService,
  ) {}

  @Get()
  @Endpoint({
    summary: 'Live tokens (or all, with include_revoked), by id',
    query: TokenListQuery,
    responses: { 200: PageSchema(TokenInfoSchema, 'TokenPage') },
  })
  async list(@Query() query: Static<typeof TokenListQuery>): Promise<Page<ReturnType<typeof tokenView>>> {
    const limit = query.limit ?? 50;
    const after = idCursor(query.cursor);
    let userId: number | undefined;
    try {
      userId = query.user ? (await this.accounts.byUsername(query.user)).id : undefined;
    } catch (err) {
      asFieldError(err);
    }
    const rows = await this.tokens.list({
      userId,
      includeRevoked: query.include_revoked,
      limit: limit + 1,
      afterId: after,
    });
    const page = rows.slice(0, limit);
    return {
      count: null,
      next:
        rows.length > limit
          ? listLink('/api/admin/tokens/', { ...query, cursor: page[page.length - 1].id, limit })
          : null,
      previous: null,
      results: page.map(tokenView),
    };
  }

  @Post()
  @HttpCode(201)
  @Endpoint({
    summary: 'Make a token for a program, with scopes and an optional expiry; the secret is shown once',
    body: NewTokenSchema,
    responses: { 201: IssuedTokenSchema, 400: 'Unknown user or scope, or a scope the user does not have' },
  })
  async create(@Body() body: Static<typeof NewTokenSchema>, @CurrentPrincipal() me: Principal) {
    let expiresInMs: number | undefined;
    if (body.expires_in !== undefined) {
      expiresInMs = parseTokenLifetime(body.expires_in);
      if (!expiresInMs) throw new FieldValidationException('expires_in', `must be ${TOKEN_LIFETIME_RULE}`);
    }
    try {
      const owner = await this.accounts.byUsername(body.user);
      const issued = await this.tokens.create({
        userId: owner.id,
        name: body.name,
        scopes: body.scopes,
        expiresInMs,
        createdBy: me.userId,
      });
      return { token: issued.token, info: tokenView(issued.summary) };
    } catch (err) {
      asFieldError(err);
    }
  }

  @Delete(':id')
  @HttpCode(204)
  @Endpoint({
    summary: 'Revoke a token (refused everywhere within a second)',
    params: IdParams,
    responses: { 204: 'Revoked', 404: 'No live token with this id' },
  })
  async revoke(@Param('id') id: number): Promise<void> {
    if (!(await this.tokens.revoke(id))) throw new NotFoundApiException('token');
  }
}
