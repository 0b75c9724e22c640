import { IMPORT_FIELDS, type ImportField, type ImportFieldName } from '../../catalogue/product-fields';

/**
 * How each field a file carries is written, compared and shown by the merge, derived from its
 * kind in the product field table. Table aliases: `s` the stage, `p` the product, `o_<field>` /
 * `n_<field>` the old / new row of a looked-up name or category.
 */
export interface FieldSql {
  field: ImportFieldName;
  /** The `products` column written. */
  column: string;
  /** The new value (from the stage and the lookups). */
  value: string;
  /** True when the product's value differs from the file's. */
  differs: string;
  /** The text recorded in product_history (the column's text form). */
  historyOld: string;
  historyNew: string;
  /** What a dry run shows (names and paths rather than ids). */
  sampleOld: string;
  sampleNew: string;
  /** The join of the product's current name / category, and of the file's. */
  oldLookup?: string;
  newLookup?: string;
}

function fieldSql(f: Exclude<ImportField, { value: 'item_no' }>): FieldSql {
  const column = f.columns[0].name;
  const plain = {
    field: f.name,
    column,
    value: `s.${f.name}`,
    differs: `p.${column} IS DISTINCT FROM s.${f.name}`,
    historyOld: `p.${column}::text`,
    historyNew: `s.${f.name}`,
    sampleOld: `p.${column}::text`,
    sampleNew: `s.${f.name}`,
  };
  const [o, n] = [`o_${f.name}`, `n_${f.name}`];
  switch (f.value) {
    case 'ean':
    case 'line':
    case 'text':
    case 'url':
      return plain;
    case 'decimal':
      return { ...plain, value: `s.${f.name}::numeric`, differs: `p.${column} IS DISTINCT FROM s.${f.name}::numeric` };
    case 'date':
      return {
        ...plain,
        value: `s.${f.name}::date`,
        differs: `p.${column} IS DISTINCT FROM s.${f.name}::date`,
        historyOld: `to_char(p.${column}, 'YYYY-MM-DD')`,
        sampleOld: `to_char(p.${column}, 'YYYY-MM-DD')`,
      };
    case 'name':
      // Names are compared by their key: "HASBRO" in the file is the manufacturer "Hasbro".
      return {
        ...plain,
        value: `${n}.id`,
        differs: `${o}.name_key IS DISTINCT FROM s.${f.name}_key`,
        historyNew: `${n}.id::text`,
        sampleOld: `${o}.name::text`,
        oldLookup: `LEFT JOIN ${f.names} ${o} ON ${o}.id = p.${column}`,
        newLookup: `LEFT JOIN ${f.names} ${n} ON ${n}.name_key = s.${f.name}_key`,
      };
    case 'category':
      return {
        ...plain,
        value: `${n}.id`,
        differs: `${o}.path IS DISTINCT FROM s.${f.name}`,
        historyNew: `${n}.id::text`,
        sampleOld: `${o}.path::text`,
        oldLookup: `LEFT JOIN categories ${o} ON ${o}.id = p.${column}`,
        newLookup: `LEFT JOIN categories ${n} ON ${n}.path = s.${f.name}`,
      };
  }
}

const FIELD_SQL = new Map<ImportFieldName, FieldSql>(
  IMPORT_FIELDS.filter((f): f is Exclude<ImportField, { value: 'item_no' }> => f.value !== 'item_no').map((f) => [
    f.name,
    fieldSql(f),
  ]),
);

/** The merge of one file: the SQL of the fields it provides (only those are compared and written). */
export class MergePlan {
  readonly fields: readonly FieldSql[];

  constructor(mapped: readonly ImportFieldName[]) {
    // In the file's column order (the order of each product's history rows).
    this.fields = mapped.flatMap((name) => FIELD_SQL.get(name) ?? []);
  }

  has(field: ImportFieldName): boolean {
    return this.fields.some((f) => f.field === field);
  }

  /** Joins of the product's current names and categories. */
  get oldLookups(): string {
    return this.fields.flatMap((f) => f.oldLookup ?? []).join('\n');
  }

  /** Joins of the file's names and categories (after ensureLookups created them). */
  get newLookups(): string {
    return this.fields.flatMap((f) => f.newLookup ?? []).join('\n');
  }

  /** The name fields (manufacturer, license) the plan writes. */
  names(): Extract<ImportField, { value: 'name' }>[] {
    return IMPORT_FIELDS.filter(
      (f): f is Extract<ImportField, { value: 'name' }> => f.value === 'name' && this.has(f.name),
    );
  }

  /** The category fields the plan writes. */
  categories(): Extract<ImportField, { value: 'category' }>[] {
    return IMPORT_FIELDS.filter(
      (f): f is Extract<ImportField, { value: 'category' }> => f.value === 'category' && this.has(f.name),
    );
  }
}
