import { Checked, Nullable, Obj, Type, type Static } from '@pjs/http';
import { ISO_TIMESTAMP } from '../catalogue/validators';
import { Filter, pageQuery } from '../shared/api-schemas';

/** `GET /api/products/{item_no}/history/` query parameters. */
export const HistoryQuerySchema = Obj({
  as_of: Type.Optional(
    Filter(
      Checked(
        ISO_TIMESTAMP,
        Type.String({
          description: 'Show the product as it was at this ISO-8601 time, and only the changes up to then',
          example: '2024-05-01T12:00:00Z',
        }),
      ),
      'must be an ISO-8601 date or timestamp',
    ),
  ),
  ...pageQuery(),
});
export type HistoryQuery = Static<typeof HistoryQuerySchema>;

const HistoryEntry = Obj(
  {
    id: Type.Integer(),
    field: Type.String({ description: 'Column name, e.g. rrp, discount_percent, is_deleted' }),
    old_value: Nullable(Type.String()),
    new_value: Nullable(Type.String()),
    source: Obj({
      type: Type.Unsafe<string>({ type: 'string', enum: ['import', 'api', 'email', 'system'] }),
      ref: Nullable(Type.String({ description: 'Import id, API token name or e-mail order number' })),
    }),
    actor: Nullable(Type.String({ description: 'The user behind the change' })),
    changed_at: Type.String({ format: 'date-time' }),
  },
  { title: 'HistoryEntry' },
);

/** Documentation only: the history page the route answers. */
export const HistoryPage = Obj(
  {
    item_no: Type.String(),
    as_of: Nullable(Type.String({ format: 'date-time' })),
    state: Type.Optional(
      Nullable(
        Type.Object(
          {},
          { additionalProperties: true, description: 'With as_of: the product then (null when it did not exist yet)' },
        ),
      ),
    ),
    count: Type.Integer(),
    next: Nullable(Type.String({ format: 'uri' })),
    previous: Nullable(Type.String({ format: 'uri' })),
    results: Type.Array(HistoryEntry),
  },
  { title: 'HistoryPage' },
);
