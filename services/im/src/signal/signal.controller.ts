import { Body, Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Endpoint, Int, Nullable, Obj, Type, type Principal, type Static } from '@pjs/http';
import { IdempotencyHeaders, IdempotencyResponses, IdempotentWrites } from '@pjs/idempotency';
import { ItemNumber } from '../common/text.schema';
import { SignalService } from './signal.service';
import { SyncStatusRepository, type SyncStatus } from './sync-status.repository';

export const MAX_SIGNAL_ITEMS = 10_000;

/** An empty body (or none) asks for the details of items that have none. */
const SignalSchema = Nullable(
  Obj(
    {
      scope: Type.Optional(
        Type.Unsafe<'missing' | 'all'>({
          type: 'string',
          enum: ['missing', 'all'],
          default: 'missing',
          description: '`missing`: items without DBU details; `all`: refresh every item',
        }),
      ),
      item_nos: Type.Optional(
        Type.Array(ItemNumber, { maxItems: MAX_SIGNAL_ITEMS, description: 'Refresh only these item numbers' }),
      ),
    },
    { title: 'SyncSignal' },
  ),
);
type SignalBody = Static<typeof SignalSchema>;

const Queued = Type.Object(
  {
    status: Type.Literal('queued'),
    event_id: Type.String({ description: 'Id of the im.sync.requested message' }),
    scope: Type.Unsafe<'missing' | 'all'>({ type: 'string', enum: ['missing', 'all'] }),
    item_count: Type.Optional(Type.Integer({ description: 'When item_nos was given' })),
  },
  { title: 'SyncQueued' },
);

type QueuedAnswer = { status: 'queued'; event_id: string; scope: 'missing' | 'all'; item_count?: number };

const SyncStatusQuerySchema = Obj({
  limit: Type.Optional(Int(1, 500, { default: 50, description: 'How many of the items missing details to list' })),
});
const SyncStatusSchema = Type.Object(
  {
    items: Type.Object({
      total: Type.Integer({ description: 'Items of ours, deleted and hidden ones included' }),
      missing_details: Type.Integer({ description: 'Items without DBU details' }),
    }),
    last_details_synced_at: Nullable(
      Type.String({ format: 'date-time', description: 'When im-worker last wrote the DBU details of an item' }),
    ),
    reconciler: Type.Object({
      following_feed: Type.Boolean({ description: "false until the reconciler's first run (or after a resync)" }),
      caught_up_at: Nullable(
        Type.String({ format: 'date-time', description: "When DBU's changes feed was last read to its end" }),
      ),
      lag_seconds: Type.Integer({ description: 'Seconds since then (im_reconcile_lag_seconds)' }),
    }),
    last_signal: Nullable(
      Type.Object(
        {
          event_id: Type.String(),
          scope: Type.String(),
          requested_by: Nullable(Type.String()),
          requested_at: Type.String({ format: 'date-time' }),
          published_at: Nullable(Type.String({ format: 'date-time', description: 'Handed to RabbitMQ by the outbox' })),
          handled_at: Nullable(Type.String({ format: 'date-time', description: 'Done by im-worker' })),
        },
        { description: 'The last sync request still in the outbox (published ones are purged after a while)' },
      ),
    ),
    missing: Type.Array(
      Type.Object({
        item_no: Type.String(),
        title: Type.String(),
        quantity: Type.Integer(),
        created_at: Type.String({ format: 'date-time' }),
      }),
      { description: 'The first `limit` items without DBU details, by item number' },
    ),
  },
  { title: 'SyncStatus' },
);

/**
 * `POST /api/signal/`: queue a background sync of item details from DBU (im-worker runs it).
 * `GET /api/sync/status/`: how far that sync is (the admin's DBU sync page, whose "Sync now" is a
 * `POST /api/signal/`).
 */
@ApiTags('sync')
@Controller('api')
export class SignalController {
  constructor(
    private readonly signals: SignalService,
    private readonly writes: IdempotentWrites,
    private readonly syncStatus: SyncStatusRepository,
  ) {}

  @Post('signal')
  @HttpCode(202)
  @Endpoint({
    summary: 'Queue a sync of DBU details (im-worker runs it)',
    body: SignalSchema,
    headers: IdempotencyHeaders,
    responses: { 202: Queued, 400: 'validation_failed (scope, item_nos)', ...IdempotencyResponses },
  })
  signal(
    @Body() body: SignalBody,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<QueuedAnswer> {
    const scope = body?.scope ?? 'missing';
    const itemNos = body?.item_nos?.map((itemNo) => itemNo.trim());
    return this.writes.answer(request, reply, async (tx) => {
      const envelope = await this.signals.requestSync(
        { scope, ...(itemNos ? { item_nos: itemNos } : {}), requested_by: principal.username },
        tx,
      );
      return {
        status: 'queued' as const,
        event_id: envelope.id,
        scope,
        ...(itemNos ? { item_count: itemNos.length } : {}),
      };
    });
  }

  @Get('sync/status')
  @Header('Cache-Control', 'no-store')
  @Endpoint({
    summary: 'How far the DBU details are synced: items missing them, the reconciler, the last request',
    query: SyncStatusQuerySchema,
    responses: { 200: SyncStatusSchema, 400: 'validation_failed (limit)' },
  })
  status(@Query() query: { limit?: number }): Promise<SyncStatus> {
    return this.syncStatus.status(query.limit ?? 50);
  }
}
