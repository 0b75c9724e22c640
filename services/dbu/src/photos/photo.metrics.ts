import { counter, type Counter } from '@pjs/metrics';

export const photosFetched = (): Counter<'outcome'> =>
  counter('dbu_photos_fetched_total', 'Product photos fetched, by outcome (ok, failed)', ['outcome'] as const);
