import type { DateFormat, DecimalSeparator, ProfileDelimiter, ProfileEncoding } from './profile-settings';

/** An import profile as stored and answered. */
export interface ImportProfile {
  id: number;
  name: string;
  wholesaler: string | null;
  delimiter: ProfileDelimiter;
  decimal_separator: DecimalSeparator;
  date_format: DateFormat;
  encoding: ProfileEncoding;
  sheet_name: string | null;
  /** Source header → catalogue field (`null`: ignore the column on purpose). */
  column_map: Record<string, string | null>;
  is_default: boolean;
  created_at: string;
  updated_at: string;
}

export type ImportProfileValues = Omit<ImportProfile, 'id' | 'created_at' | 'updated_at'>;
