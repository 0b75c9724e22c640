import { cleanName, nameKey } from '../../catalogue/name-key';
import type { ImportField } from '../../catalogue/product-fields';
import type { CatalogueField, ColumnMapping } from '../../import-profiles/column-mapping';
import { IMPORT_FIELDS } from '../../catalogue/product-fields';
import type { DateFormat, DecimalSeparator } from '../../import-profiles/profile-settings';
import type { SourceRow } from '../read/row-source.types';
import { copyValue } from '../stage/copy-text';
import { STAGE_COPY_COLUMNS, STAGE_VALUE_COLUMNS } from '../stage/stage-columns';
import {
  parseCategoryPath,
  parseEan,
  parseItemNo,
  parseLine,
  parseSourceDate,
  parseSourceDecimal,
  parseText,
  parseUrl,
  type FieldResult,
} from './field-parsers';
import { ItemBloomFilter } from './item-bloom-filter';

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

const SLOT = new Map(STAGE_VALUE_COLUMNS.map((c, i) => [c, i]));
const ITEM_NO_SLOT = SLOT.get('item_no')!;
const MAX_SHOWN_VALUE = 200;
const CACHE_LIMIT = 20_000;
const NULL = '\\N';

/** A mapped source column: where its cell is, what field it feeds and where the value goes. */
interface Slot {
  index: number;
  header: string;
  field: ImportField;
  /** The value's position in the stage row (and of a name's key). */
  valueSlot: number;
  keySlot: number;
  /** Results of fields with few distinct values (names, categories, dates), cached per raw cell. */
  cache?: Map<string, readonly [FieldResult, string | null]>;
}

/** The longest text a file may carry in the field. */
const importMaxLength = (field: ImportField): number =>
  'importMaxLength' in field ? field.importMaxLength : 'maxLength' in field ? field.maxLength : Infinity;

/**
 * Validates one source row and writes it as a COPY line of the staging table: canonical values
 * for a valid row, or the reasons and the source cells for a rejected one. How each cell is read
 * follows its field's kind in the product field table. Counts as it goes.
 */
export class CatalogueRowEncoder {
  valid = 0;
  invalid = 0;
  blank = 0;
  /** Item numbers of valid rows that may occur twice (see ItemBloomFilter). */
  readonly seen = new ItemBloomFilter();
  private readonly slots: Slot[];
  /** Required fields besides the item number (whose reader refuses a blank cell itself). */
  private readonly required: Slot[];
  private readonly values = new Array<string | null>(STAGE_VALUE_COLUMNS.length).fill(null);
  private readonly parts = new Array<string>(STAGE_COPY_COLUMNS.length).fill('');

  constructor(
    private readonly headerLength: number,
    mapping: ColumnMapping<CatalogueField>,
    private readonly settings: EncoderSettings,
  ) {
    this.slots = mapping.columns.map((c) => {
      const field = IMPORT_FIELDS.find((f) => f.name === c.field)!;
      const cached = field.value === 'name' || field.value === 'category' || field.value === 'date';
      return {
        index: c.index,
        header: c.header,
        field,
        valueSlot: SLOT.get(field.name)!,
        keySlot: SLOT.get(`${field.name}_key`) ?? -1,
        ...(cached ? { cache: new Map<string, readonly [FieldResult, string | null]>() } : {}),
      };
    });
    this.required = IMPORT_FIELDS.filter((f) => 'required' in f && f.required && f.value !== 'item_no').map(
      (field) =>
        this.slots.find((s) => s.field === field) ?? {
          index: -1,
          header: field.name,
          field,
          valueSlot: SLOT.get(field.name)!,
          keySlot: -1,
        },
    );
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
        const result = this.read(slot, raw, values);
        if (!result.ok) (errors ??= []).push({ column: slot.header, value: shown(raw), reason: result.reason });
      }
      for (const slot of this.required) {
        if (values[slot.valueSlot] === null && !errors?.some((e) => e.column === slot.header)) {
          (errors ??= []).push({ column: slot.header, value: '', reason: `${slot.field.name} is missing` });
        }
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
      this.seen.add(values[ITEM_NO_SLOT]!);
      for (let i = 0; i < values.length; i += 1) parts[i + 1] = copyValue(values[i]);
      parts[values.length + 1] = NULL;
      parts[values.length + 2] = NULL;
    }
    return `${parts.join('\t')}\n`;
  }

  /** Reads one cell by its field's kind; puts the canonical value (and a name's key) into `values`. */
  private read(slot: Slot, raw: string, values: (string | null)[]): FieldResult {
    const field = slot.field;
    let result: FieldResult;
    switch (field.value) {
      case 'item_no':
        result = parseItemNo(raw);
        break;
      case 'ean':
        result = parseEan(raw);
        break;
      case 'line':
        result = parseLine(raw, importMaxLength(field));
        break;
      case 'text':
        result = parseText(raw, importMaxLength(field));
        break;
      case 'url':
        result = parseUrl(raw, importMaxLength(field));
        break;
      case 'name': {
        const [parsed, key] = this.cached(slot, raw, () => {
          const line = parseLine(raw, importMaxLength(field));
          return line.ok && line.value !== null
            ? ([{ ok: true, value: cleanName(line.value) }, nameKey(line.value)] as const)
            : ([line, null] as const);
        });
        if (parsed.ok) values[slot.keySlot] = key;
        result = parsed;
        break;
      }
      case 'category':
        result = this.cached(slot, raw, () => [parseCategoryPath(raw), null] as const)[0];
        break;
      case 'decimal':
        result = parseSourceDecimal(raw, this.settings.decimalSeparator, field.decimal);
        break;
      case 'date':
        result = this.cached(
          slot,
          raw,
          () => [parseSourceDate(raw, this.settings.dateFormat, this.settings.excelSerialDates), null] as const,
        )[0];
        break;
    }
    if (result.ok) values[slot.valueSlot] = result.value;
    return result;
  }

  private cached(
    slot: Slot,
    raw: string,
    compute: () => readonly [FieldResult, string | null],
  ): readonly [FieldResult, string | null] {
    const cache = slot.cache!;
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
