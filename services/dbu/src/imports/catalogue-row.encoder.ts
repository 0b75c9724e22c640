import { MONEY, WEIGHT } from '../catalogue/decimal';
import { cleanName, nameKey } from '../catalogue/name-key';
import type { CatalogueField, ColumnMapping } from '../import-profiles/column-mapping';
import { copyValue } from './copy-text';
import {
  parseCategoryPath,
  parseEan,
  parseItemNo,
  parseLine,
  parseSourceDate,
  parseSourceDecimal,
  parseText,
  parseUrl,
  type DateFormat,
  type DecimalSeparator,
  type FieldResult,
} from './field-parsers';
import { ItemBloomFilter } from './item-bloom-filter';
import type { SourceRow } from './row-source';

/** Why a cell (or a whole row, `column` empty) was refused. */
export interface RowError {
  column: string;
  value: string;
  reason: string;
}

export interface EncoderSettings {
  decimalSeparator: DecimalSeparator;
  dateFormat: DateFormat;
  /** XLSX: a number in a date column is an Excel day number. */
  excelSerialDates?: boolean;
  /** XLSX: a row ends with its last cell that has a value, so a short row is not a shifted one. */
  shortRowsAllowed?: boolean;
}

/** The columns of the staging table, in COPY order (see CatalogueStageRepository). */
export const STAGE_VALUE_COLUMNS = [
  'item_no',
  'ean',
  'title',
  'description',
  'manufacturer',
  'manufacturer_key',
  'license',
  'license_key',
  'category',
  'purchase_price',
  'rrp',
  'release_date',
  'weight_kg',
  'image_url',
  'safety_warnings',
] as const;
export type StageValueColumn = (typeof STAGE_VALUE_COLUMNS)[number];
export const STAGE_COPY_COLUMNS = ['row_no', ...STAGE_VALUE_COLUMNS, 'errors', 'raw'] as const;

const SLOT: Record<StageValueColumn, number> = Object.fromEntries(STAGE_VALUE_COLUMNS.map((c, i) => [c, i])) as Record<
  StageValueColumn,
  number
>;
const MAX_SHOWN_VALUE = 200;
const CACHE_LIMIT = 20_000;
const NULL = '\\N';

interface Slot {
  index: number;
  header: string;
  field: CatalogueField;
}

/**
 * Validates one source row and writes it as a COPY line of the staging table: canonical values
 * for a valid row, or the reasons and the source cells for a rejected one. Counts as it goes.
 */
export class CatalogueRowEncoder {
  valid = 0;
  invalid = 0;
  blank = 0;
  /** Item numbers of valid rows that may occur twice (see ItemBloomFilter). */
  readonly seen = new ItemBloomFilter();
  private readonly slots: Slot[];
  private readonly titleHeader: string;
  private readonly caches = new Map<CatalogueField, Map<string, readonly [FieldResult, string | null]>>();
  private readonly values = new Array<string | null>(STAGE_VALUE_COLUMNS.length).fill(null);
  private readonly parts = new Array<string>(STAGE_COPY_COLUMNS.length).fill('');

  constructor(
    private readonly headerLength: number,
    mapping: ColumnMapping<CatalogueField>,
    private readonly settings: EncoderSettings,
  ) {
    this.slots = mapping.columns.map((c) => ({ index: c.index, header: c.header, field: c.field }));
    this.titleHeader = mapping.columns.find((c) => c.field === 'title')?.header ?? 'title';
  }

  /** The COPY line of the row, or '' for a blank row (skipped, counted apart). */
  encode(row: SourceRow): string {
    const fields = row.fields;
    if (isBlankRow(fields)) {
      this.blank += 1;
      return '';
    }
    // One line per row is the hot path of an import: buffers are reused, errors allocated lazily.
    const values = this.values;
    values.fill(null);
    let errors: RowError[] | undefined = row.problem ? [{ column: '', value: '', reason: row.problem }] : undefined;
    if (
      fields.length !== this.headerLength &&
      !(fields.length < this.headerLength && this.settings.shortRowsAllowed) &&
      !extraCellsBlank(fields, this.headerLength)
    ) {
      // The cells are shifted: judging them one by one would only add noise.
      (errors ??= []).push({
        column: '',
        value: '',
        reason: `has ${fields.length} columns where the header has ${this.headerLength}`,
      });
    } else {
      for (const slot of this.slots) {
        const raw = fields[slot.index] ?? '';
        const result = this.read(slot.field, raw, values);
        if (!result.ok) (errors ??= []).push({ column: slot.header, value: shown(raw), reason: result.reason });
      }
      if (values[SLOT.title] === null && !errors?.some((e) => e.column === this.titleHeader)) {
        (errors ??= []).push({ column: this.titleHeader, value: '', reason: 'title is missing' });
      }
    }
    const parts = this.parts;
    parts[0] = String(row.rowNo);
    if (errors) {
      this.invalid += 1;
      for (let i = 0; i < values.length; i += 1) parts[i + 1] = NULL;
      parts[values.length + 1] = copyValue(JSON.stringify(errors));
      parts[values.length + 2] = copyValue(JSON.stringify(fields));
    } else {
      this.valid += 1;
      this.seen.add(values[SLOT.item_no]!);
      for (let i = 0; i < values.length; i += 1) parts[i + 1] = copyValue(values[i]);
      parts[values.length + 1] = NULL;
      parts[values.length + 2] = NULL;
    }
    return `${parts.join('\t')}\n`;
  }

  private read(field: CatalogueField, raw: string, values: (string | null)[]): FieldResult {
    const { decimalSeparator, dateFormat } = this.settings;
    let result: FieldResult;
    switch (field) {
      case 'item_no':
        result = parseItemNo(raw);
        break;
      case 'ean':
        result = parseEan(raw);
        break;
      case 'title':
        result = parseLine(raw, 500);
        break;
      case 'description':
      case 'safety_warnings':
        result = parseText(raw);
        break;
      case 'manufacturer':
      case 'license': {
        const [parsed, key] = this.cached(field, raw, () => {
          const line = parseLine(raw, field === 'manufacturer' ? 300 : 200);
          return line.ok && line.value !== null
            ? ([{ ok: true, value: cleanName(line.value) }, nameKey(line.value)] as const)
            : ([line, null] as const);
        });
        if (parsed.ok) {
          values[SLOT[field]] = parsed.value;
          values[SLOT[field === 'manufacturer' ? 'manufacturer_key' : 'license_key']] = key;
        }
        return parsed;
      }
      case 'category':
        result = this.cached(field, raw, () => [parseCategoryPath(raw), null] as const)[0];
        break;
      case 'purchase_price':
      case 'rrp':
        result = parseSourceDecimal(raw, decimalSeparator, MONEY);
        break;
      case 'weight_kg':
        result = parseSourceDecimal(raw, decimalSeparator, WEIGHT);
        break;
      case 'release_date':
        result = this.cached(
          field,
          raw,
          () => [parseSourceDate(raw, dateFormat, this.settings.excelSerialDates), null] as const,
        )[0];
        break;
      case 'image_url':
        result = parseUrl(raw);
        break;
    }
    if (result.ok) values[SLOT[field]] = result.value;
    return result;
  }

  /** Results of fields with few distinct values (names, categories, dates), cached per raw cell. */
  private cached(
    field: CatalogueField,
    raw: string,
    compute: () => readonly [FieldResult, string | null],
  ): readonly [FieldResult, string | null] {
    let cache = this.caches.get(field);
    if (!cache) this.caches.set(field, (cache = new Map<string, readonly [FieldResult, string | null]>()));
    let entry = cache.get(raw);
    if (!entry) {
      entry = compute();
      if (cache.size < CACHE_LIMIT) cache.set(raw, entry);
    }
    return entry;
  }
}

function isBlankRow(fields: readonly string[]): boolean {
  for (const f of fields) if (f.trim() !== '') return false;
  return true;
}

function extraCellsBlank(fields: readonly string[], headerLength: number): boolean {
  if (fields.length < headerLength) return false;
  for (let i = headerLength; i < fields.length; i += 1) if (fields[i].trim() !== '') return false;
  return true;
}

function shown(raw: string): string {
  return raw.length > MAX_SHOWN_VALUE ? `${raw.slice(0, MAX_SHOWN_VALUE)}…` : raw;
}
