import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { parseDuration } from '@pjs/config';
import {
  Endpoint,
  FieldValidationException,
  Int,
  Nullable,
  Obj,
  PageSchema,
  Text,
  Type,
  listLink,
  type Page,
  type Static,
} from '@pjs/http';
import { AuditReader, InvalidCursorError } from './audit-reader';
import type { AuditRecord } from './audit.types';

export const AuditRecordSchema = Type.Object(
  {
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    actor: Nullable(Type.String()),
    actor_user_id: Nullable(Type.Integer()),
    token_prefix: Nullable(Type.String({ description: 'The visible prefix of the API token used' })),
    action: Type.String({ example: 'product.update' }),
    resource: Type.String({ example: 'product' }),
    resource_id: Nullable(Type.String()),
    request_id: Nullable(Type.String()),
    client_ip: Nullable(Type.String({ description: 'Blanked after AUDIT_IP_RETENTION' })),
    outcome: Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('denied')]),
    details: Nullable(Type.Object({}, { additionalProperties: true })),
    source: Type.String({ description: 'audit, or a ledger of the service (IM: stock)' }),
  },
  { title: 'AuditRecord' },
);

const AuditQuerySchema = Obj({
  since: Type.Optional(Text(40, { description: 'A duration back from now (1d, 12h) or an ISO-8601 time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  actor: Type.Optional(Text(150)),
  action: Type.Optional(Text(64)),
  resource: Type.Optional(Text(64)),
  resource_id: Type.Optional(Text(200)),
  cursor: Type.Optional(Text(200, { description: 'From the `next` link of the previous page' })),
  limit: Type.Optional(Int(1, 500, { default: 50 })),
});
type AuditQueryParams = Static<typeof AuditQuerySchema>;

/** The time `since` names: a duration back from now, or an ISO time. */
export function sinceOf(value: string | undefined, now = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  const duration = parseDuration(value);
  if (duration !== undefined) return instant('since', now - duration);
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new FieldValidationException('since', 'must be a duration (1d, 12h) or an ISO-8601 time');
  return instant('since', at);
}

const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * The time as a Date if it lies in years 1 to 9999. Ages of duration, a far year or a leap second
 * (valid date-time text, but no JavaScript Date) would otherwise reach PostgreSQL as a time it refuses.
 */
function instant(field: string, time: number): Date {
  if (!(time >= EARLIEST && time <= LATEST))
    throw new FieldValidationException(field, 'is not a time between the years 1 and 9999');
  return new Date(time);
}

/** `GET /api/admin/audit/`: the trail, newest first, filtered. */
@ApiTags('admin')
@Controller('api/admin/audit')
export class AuditController {
  constructor(private readonly reader: AuditReader) {}

  @Get()
  @Endpoint({
    summary: 'The audit trail, newest first',
    query: AuditQuerySchema,
    responses: { 200: PageSchema(AuditRecordSchema, 'AuditPage'), 400: 'A bad filter or cursor' },
  })
  async list(@Query() query: AuditQueryParams): Promise<Page<AuditRecord>> {
    const limit = query.limit ?? 50;
    try {
      const { results, nextCursor } = await this.reader.list({
        since: sinceOf(query.since),
        until: query.until ? instant('until', Date.parse(query.until)) : undefined,
        actor: query.actor,
        action: query.action,
        resource: query.resource,
        resourceId: query.resource_id,
        before: query.cursor,
        limit,
      });
      return {
        count: null,
        next: nextCursor ? listLink('/api/admin/audit/', { ...query, cursor: nextCursor, limit }) : null,
        previous: null,
        results,
      };
    } catch (err) {
      if (err instanceof InvalidCursorError)
        throw new FieldValidationException('cursor', 'is not a cursor of this list');
      throw err;
    }
  }
}
