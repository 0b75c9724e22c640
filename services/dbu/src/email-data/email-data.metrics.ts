import { counter } from '@pjs/metrics';

/** `dbu_email_data_rows_total{outcome="applied"|"skipped"}`. */
export const emailDataRows = () =>
  counter('dbu_email_data_rows_total', 'Rows of POST /api/email-data/ by outcome', ['outcome']);
