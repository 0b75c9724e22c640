/**
 * Which source column feeds which catalogue field. A profile may name columns explicitly; every
 * other header is matched against German and English variants. Columns that feed nothing are
 * reported as unmapped, never silently dropped.
 */
import { IMPORT_FIELDS, type ImportFieldName } from '../catalogue/product-fields';

/** The product fields a catalogue file can carry, with their header wordings (product-fields.ts). */
export const CATALOGUE_FIELDS: readonly ImportFieldName[] = IMPORT_FIELDS.map((f) => f.name);
export type CatalogueField = ImportFieldName;
export const REQUIRED_CATALOGUE_FIELDS: readonly CatalogueField[] = IMPORT_FIELDS.filter(
  (f) => 'required' in f && f.required,
).map((f) => f.name);

/** Header variants per field, compared after `headerKey` (the first is the canonical German one). */
export const CATALOGUE_HEADER_VARIANTS = Object.fromEntries<readonly string[]>(
  IMPORT_FIELDS.map((f) => [f.name, f.headers]),
) as Record<CatalogueField, readonly string[]>;

/** `Gewicht (kg)` → `gewichtkg`, `Händlerpreis` → `haendlerpreis`: case, umlauts and punctuation ignored. */
export function headerKey(header: string): string {
  return header
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[^a-z0-9]/g, '');
}

export interface MappedColumn<F extends string> {
  index: number;
  header: string;
  field: F;
  /** `profile`: named in the profile; `suggested`: matched by its header. */
  how: 'profile' | 'suggested';
}

export interface UnmappedColumn {
  index: number;
  header: string;
  reason: string;
}

export interface ColumnMapping<F extends string> {
  columns: MappedColumn<F>[];
  unmapped: UnmappedColumn[];
  missingRequired: F[];
}

/**
 * Maps headers to fields: explicit profile entries first (`null` ignores a column on purpose), then
 * exact variant matches, then headers that start with a variant (`EK-Preis netto`). A field is fed
 * by one column only; a second candidate is reported as unmapped with the reason.
 */
export function mapColumns<F extends string>(
  headers: readonly string[],
  variants: Record<F, readonly string[]>,
  required: readonly F[],
  explicit: Readonly<Record<string, F | null>> = {},
): ColumnMapping<F> {
  const explicitByKey = new Map(Object.entries(explicit).map(([h, f]) => [headerKey(h), f] as const));
  const variantKeys = (Object.entries(variants) as [F, readonly string[]][]).map(
    ([field, list]) => [field, list.map(headerKey)] as const,
  );
  // Prefix matching only with variants that are long and no prefix of another field's variant
  // ("artikel" would otherwise claim "Artikelbeschreibung").
  const allKeys = variantKeys.flatMap(([field, keys]) => keys.map((k) => [field, k] as const));
  const prefixKeys = variantKeys.map(
    ([field, keys]) =>
      [field, keys.filter((v) => v.length >= 5 && !allKeys.some(([f, k]) => f !== field && k.startsWith(v)))] as const,
  );
  const taken = new Map<F, number>();
  const result: (MappedColumn<F> | UnmappedColumn)[] = [];

  const claim = (index: number, header: string, field: F, how: MappedColumn<F>['how']) => {
    const previous = taken.get(field);
    if (previous !== undefined) {
      result[index] = { index, header, reason: `${field} is already read from column "${headers[previous]}"` };
      return;
    }
    taken.set(field, index);
    result[index] = { index, header, field, how };
  };

  // Pass 1: the profile's explicit choices win.
  headers.forEach((header, index) => {
    const key = headerKey(header);
    if (!explicitByKey.has(key)) return;
    const field = explicitByKey.get(key);
    if (field === null || field === undefined) result[index] = { index, header, reason: 'ignored by the profile' };
    else claim(index, header, field, 'profile');
  });
  // Pass 2: exact variants (a second column for a field is reported); pass 3: headers starting
  // with a variant, for fields still free.
  headers.forEach((header, index) => {
    const key = headerKey(header);
    const found = result[index] || !key ? undefined : variantKeys.find(([, keys]) => keys.includes(key));
    if (found) claim(index, header, found[0], 'suggested');
  });
  headers.forEach((header, index) => {
    const key = headerKey(header);
    if (result[index] || !key) return;
    const found = prefixKeys.find(([field, keys]) => !taken.has(field) && keys.some((v) => key.startsWith(v)));
    if (found) claim(index, header, found[0], 'suggested');
  });
  headers.forEach((header, index) => {
    if (!result[index]) {
      result[index] = { index, header, reason: header.trim() ? 'no field matches this header' : 'the header is empty' };
    }
  });

  const columns = result.filter((c): c is MappedColumn<F> => 'field' in c);
  const unmapped = result.filter((c): c is UnmappedColumn => !('field' in c));
  return { columns, unmapped, missingRequired: required.filter((f) => !taken.has(f)) };
}
