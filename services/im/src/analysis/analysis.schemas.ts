import { Type, type Static } from '@sinclair/typebox';
import { Obj } from '@pjs/http';

export const UpcomingPaymentsQuerySchema = Obj({
  format: Type.Optional(
    Type.Unsafe<'json' | 'csv'>({ type: 'string', enum: ['json', 'csv'], default: 'json', description: 'json or csv' }),
  ),
  from: Type.Optional(
    Type.String({
      pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
      errorMessage: 'must look like 2025-01',
      description: 'First month to include (YYYY-MM); default: the current month',
      example: '2025-01',
    }),
  ),
});
export type UpcomingPaymentsQuery = Static<typeof UpcomingPaymentsQuerySchema>;

const Bucket = {
  amount: Type.String({ description: 'EUR, exact decimal', example: '36.25' }),
  lines: Type.Integer(),
  quantity: Type.Integer(),
};

export const UpcomingPaymentsSchema = Type.Object(
  {
    currency: Type.Literal('EUR'),
    from: Type.String({ description: 'First month included (YYYY-MM)', example: '2025-01' }),
    generated_at: Type.String({ format: 'date-time' }),
    months: Type.Array(
      Type.Object({ month: Type.String({ example: '2025-01' }), ...Bucket }, { title: 'MonthPayment' }),
    ),
    total: Type.Object(Bucket, { title: 'PaymentBucket' }),
    unscheduled: Type.Object(Bucket, { description: 'Lines of live items without a DBU release date yet' }),
  },
  { title: 'UpcomingPayments' },
);
