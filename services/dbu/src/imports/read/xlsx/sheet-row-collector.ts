import { cellText, type CellTextOptions } from './cell-text';
import type { TagAttributes, XmlHandler } from './xml-scanner';

/** Excel's last column is XFD; a reference beyond it is a broken file, not a reason to allocate. */
const MAX_COLUMNS = 16_384;
/** Excel holds at most 32,767 characters in a cell; far more is a doctored file, not a reason to allocate. */
export const MAX_CELL_CHARS = 1_048_576;
/**
 * Columns a row may reach. A catalogue has a few dozen; a row padded to thousands of columns (each a
 * reference to one huge shared string, say) would multiply in memory at every stage of the import.
 */
export const MAX_CELLS_PER_ROW = 1024;
/** Characters of all cells of one row together: the longest fields of a product fit many times. */
export const MAX_ROW_CHARS = 1_048_576;

/**
 * Turns the XML of a worksheet into rows of cell texts, one callback per `<row>`: the row number
 * (its `r`, or the one after the previous row) and its cells from column A, gaps filled with ''.
 * Trailing cells without a value are left out, as exceljs did. Only `<v>` and the `<t>` of inline
 * strings are read: formulas (`<f>`) count by their cached result, phonetic runs (`<rPh>`) are
 * pronunciation hints, not text.
 */
export class SheetRowCollector implements XmlHandler {
  wantsText = false;
  private inSheetData = false;
  private fields: string[] | null = null;
  private rowNo = 0;
  private inCell = false;
  private column = -1;
  private type = 'n';
  private value = '';
  private hasValue = false;
  private inInlineString = false;
  private phoneticDepth = 0;
  private rowChars = 0;

  constructor(
    private readonly options: CellTextOptions,
    private readonly onRow: (rowNo: number, fields: string[]) => void,
  ) {}

  open(name: string, attributes: TagAttributes): void {
    switch (name) {
      case 'sheetData':
        this.inSheetData = true;
        break;
      case 'row': {
        if (!this.inSheetData) break;
        const r = Number(attributes.get('r'));
        this.rowNo = Number.isInteger(r) && r > 0 ? r : this.rowNo + 1;
        this.fields = [];
        this.column = -1;
        this.rowChars = 0;
        break;
      }
      case 'c':
        if (!this.fields) break;
        this.inCell = true;
        this.column = columnOf(attributes.get('r')) ?? this.column + 1;
        if (this.column >= MAX_COLUMNS) throw new Error(`row ${this.rowNo} has a cell beyond column XFD`);
        if (this.column >= MAX_CELLS_PER_ROW) {
          throw new Error(`row ${this.rowNo} has more than ${MAX_CELLS_PER_ROW} columns (the limit of a row)`);
        }
        this.type = attributes.get('t') ?? 'n';
        this.value = '';
        this.hasValue = false;
        break;
      case 'v':
        if (!this.inCell) break;
        this.hasValue = true;
        this.wantsText = true;
        break;
      case 'is':
        if (!this.inCell) break;
        this.hasValue = true;
        this.inInlineString = true;
        break;
      case 'rPh':
        if (this.inInlineString) this.phoneticDepth += 1;
        break;
      case 't':
        if (this.inInlineString && this.phoneticDepth === 0) this.wantsText = true;
        break;
      default:
        break;
    }
  }

  text(text: string): void {
    this.value += text;
    if (this.value.length > MAX_CELL_CHARS)
      throw new Error(`row ${this.rowNo} has a cell of over ${MAX_CELL_CHARS} characters`);
  }

  close(name: string): void {
    switch (name) {
      case 'v':
      case 't':
        this.wantsText = false;
        break;
      case 'rPh':
        if (this.phoneticDepth > 0) this.phoneticDepth -= 1;
        break;
      case 'is':
        this.inInlineString = false;
        break;
      case 'c':
        if (!this.inCell) break;
        this.inCell = false;
        if (this.hasValue) this.setField(this.column, cellText(this.type, this.value, this.options));
        this.value = '';
        break;
      case 'row':
        if (!this.fields) break;
        this.onRow(this.rowNo, this.fields);
        this.fields = null;
        break;
      case 'sheetData':
        this.inSheetData = false;
        break;
      default:
        break;
    }
  }

  private setField(column: number, text: string): void {
    const fields = this.fields!;
    this.rowChars += text.length;
    if (this.rowChars > MAX_ROW_CHARS) {
      throw new Error(`row ${this.rowNo} has more than ${MAX_ROW_CHARS} characters (the limit of a row)`);
    }
    while (fields.length < column) fields.push('');
    fields[column] = text;
  }
}

/** The 0-based column of a cell reference (`C5` → 2), or undefined when it has no column letters. */
export function columnOf(ref: string | undefined): number | undefined {
  if (!ref) return undefined;
  let column = 0;
  let i = 0;
  for (; i < ref.length; i += 1) {
    const ch = ref.charCodeAt(i) | 0x20; // lower case
    if (ch < 97 || ch > 122) break;
    column = column * 26 + (ch - 96);
    if (column > MAX_COLUMNS) return MAX_COLUMNS;
  }
  return i === 0 ? undefined : column - 1;
}
