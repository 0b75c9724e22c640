import { Nullable, Obj, Text, Type, type Static } from '@pjs/http';
import { DATE_FORMATS, DECIMAL_SEPARATORS, PROFILE_DELIMITERS, PROFILE_ENCODINGS } from './profile-settings';

const oneOf = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

const ColumnMap = Type.Unsafe<Record<string, string | null>>({
  type: 'object',
  additionalProperties: { type: 'string', nullable: true },
  description: 'Source header → catalogue field; null ignores the column. Other headers are matched automatically.',
  example: { Artikelnummer: 'item_no', Intern: null },
  errorMessage: 'must be an object of header → field',
});
const Headers = (description: string) => Type.Array(Text(1000), { maxItems: 500, description });

/** The settings of a profile besides its name; every one optional (defaults apply on create). */
const settings = {
  wholesaler: Type.Optional(Nullable(Text(200))),
  delimiter: Type.Optional(oneOf(PROFILE_DELIMITERS, '`auto` detects it from the header line')),
  decimal_separator: Type.Optional(oneOf(DECIMAL_SEPARATORS, '`,` for 1.234,50; `.` for 1,234.50')),
  date_format: Type.Optional(oneOf(DATE_FORMATS, 'ISO YYYY-MM-DD is always understood as well')),
  encoding: Type.Optional(oneOf(PROFILE_ENCODINGS, 'A byte-order mark always wins')),
  sheet_name: Type.Optional(
    Nullable(Text(100, { minLength: 1, description: 'XLSX: the sheet to read (default: the first)' })),
  ),
  column_map: Type.Optional(ColumnMap),
  sample_headers: Type.Optional(Headers('Headers of a sample file: the answer suggests a mapping')),
  is_default: Type.Optional(Type.Boolean({ description: 'Used for imports that name no profile' })),
};
const name = Text(100, { minLength: 1 });

export const ImportProfileCreateBodySchema = Obj({ name, ...settings }, { title: 'ImportProfileCreate' });
export type ImportProfileCreateBody = Static<typeof ImportProfileCreateBodySchema>;

export const ImportProfilePatchBodySchema = Obj(
  { name: Type.Optional(name), ...settings },
  { title: 'ImportProfilePatch' },
);
export type ImportProfilePatchBody = Static<typeof ImportProfilePatchBodySchema>;

export const SuggestMappingBodySchema = Obj(
  {
    headers: Headers('Headers of a sample file, e.g. ["Artikelnummer", "Bezeichnung", "EK-Preis", "Lagerbestand"]'),
    column_map: Type.Optional(ColumnMap),
  },
  { title: 'SuggestMapping' },
);
export type SuggestMappingBody = Static<typeof SuggestMappingBodySchema>;

export const ProfileIdParams = Obj({ id: Type.String({ description: 'Profile id' }) });

const Column = Obj({ index: Type.Integer(), header: Type.String(), field: Type.String(), how: Type.String() });
const Unmapped = Obj({ index: Type.Integer(), header: Type.String(), reason: Type.String() });

export const MappingSuggestionSchema = Obj(
  { columns: Type.Array(Column), unmapped: Type.Array(Unmapped), missing_required: Type.Array(Type.String()) },
  { title: 'MappingSuggestion' },
);

export const ImportProfileSchema = Obj(
  {
    id: Type.Integer(),
    name: Type.String(),
    wholesaler: Nullable(Type.String()),
    delimiter: oneOf(PROFILE_DELIMITERS),
    decimal_separator: oneOf(DECIMAL_SEPARATORS),
    date_format: oneOf(DATE_FORMATS),
    encoding: oneOf(PROFILE_ENCODINGS),
    sheet_name: Nullable(Type.String()),
    column_map: ColumnMap,
    is_default: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    suggestion: Type.Optional(MappingSuggestionSchema),
  },
  { title: 'ImportProfile' },
);
export const ImportProfileList = Obj(
  { count: Type.Integer(), results: Type.Array(ImportProfileSchema) },
  { title: 'ImportProfileList' },
);
