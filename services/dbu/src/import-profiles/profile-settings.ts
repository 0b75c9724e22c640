/**
 * How a wholesaler's file is read: the settings of an import profile, and the snapshot of them
 * each import runs with (later profile edits do not rewrite past runs).
 */

/** `auto` detects the delimiter from the header line. */
export type ProfileDelimiter = 'auto' | ';' | ',' | 'tab' | '|';
/** `auto`: UTF-8 when the start of the file is valid UTF-8, else Windows-1252; a BOM always wins. */
export type ProfileEncoding = 'auto' | 'utf-8' | 'windows-1252' | 'latin1';
/** `,` for 1.234,50; `.` for 1,234.50. */
export type DecimalSeparator = ',' | '.';
/** ISO `YYYY-MM-DD` is always understood as well. */
export type DateFormat = 'DD.MM.YYYY' | 'YYYY-MM-DD' | 'DD/MM/YYYY' | 'MM/DD/YYYY';

export const PROFILE_DELIMITERS: readonly ProfileDelimiter[] = ['auto', ';', ',', 'tab', '|'];
export const PROFILE_ENCODINGS: readonly ProfileEncoding[] = ['auto', 'utf-8', 'windows-1252', 'latin1'];
export const DECIMAL_SEPARATORS: readonly DecimalSeparator[] = [',', '.'];
export const DATE_FORMATS: readonly DateFormat[] = ['DD.MM.YYYY', 'YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY'];

/** The profile settings an import ran with. */
export interface RunSettings {
  profile: { id: number; name: string } | null;
  delimiter: ProfileDelimiter;
  decimal_separator: DecimalSeparator;
  date_format: DateFormat;
  encoding: ProfileEncoding;
  sheet_name: string | null;
  column_map: Record<string, string | null>;
}

/** What an import without a profile uses (and what a profile starts from). */
export const DEFAULT_RUN_SETTINGS: RunSettings = {
  profile: null,
  delimiter: 'auto',
  decimal_separator: ',',
  date_format: 'DD.MM.YYYY',
  encoding: 'auto',
  sheet_name: null,
  column_map: {},
};
