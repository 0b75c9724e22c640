import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@pjs/database';
import { FieldValidationException, ConflictApiException, NotFoundApiException } from '@pjs/http';
import { DEFAULT_RUN_SETTINGS, type RunSettings } from './profile-settings';
import {
  CATALOGUE_FIELDS,
  CATALOGUE_HEADER_VARIANTS,
  REQUIRED_CATALOGUE_FIELDS,
  mapColumns,
  type CatalogueField,
} from './column-mapping';
import type { ImportProfileCreateBody, ImportProfilePatchBody } from './import-profile.schemas';
import { DuplicateProfileNameError, ImportProfileRepository } from './import-profile.repository';
import type { ImportProfile, ImportProfileValues } from './import-profile.types';

export interface MappingSuggestion {
  columns: { index: number; header: string; field: string; how: string }[];
  unmapped: { index: number; header: string; reason: string }[];
  missing_required: string[];
}

export class ProfileNotFoundException extends NotFoundApiException {
  constructor(ref: string | number) {
    super(`import profile ${JSON.stringify(ref)}`);
  }
}

/** Import profiles: CRUD, the header → field suggestions, and the settings an import runs with. */
@Injectable()
export class ImportProfileService {
  constructor(private readonly profiles: ImportProfileRepository) {}

  list(): Promise<ImportProfile[]> {
    return this.profiles.list();
  }

  async get(id: number): Promise<ImportProfile> {
    const profile = await this.profiles.get(id);
    if (!profile) throw new ProfileNotFoundException(id);
    return profile;
  }

  /** Writes (create, update, remove) run in `tx`, the caller's transaction, when given. */
  async create(
    dto: ImportProfileCreateBody,
    tx?: EntityManager,
  ): Promise<ImportProfile & { suggestion?: MappingSuggestion }> {
    const columnMap = validColumnMap(dto.column_map ?? {});
    const suggestion = dto.sample_headers ? suggest(dto.sample_headers, columnMap) : undefined;
    // Without an explicit map, the suggestion for the sample headers becomes the profile's map.
    const map =
      dto.column_map === undefined && suggestion
        ? Object.fromEntries(suggestion.columns.map((c) => [c.header, c.field]))
        : columnMap;
    const values: ImportProfileValues = {
      name: dto.name.trim(),
      wholesaler: dto.wholesaler ?? null,
      delimiter: dto.delimiter ?? DEFAULT_RUN_SETTINGS.delimiter,
      decimal_separator: dto.decimal_separator ?? DEFAULT_RUN_SETTINGS.decimal_separator,
      date_format: dto.date_format ?? DEFAULT_RUN_SETTINGS.date_format,
      encoding: dto.encoding ?? DEFAULT_RUN_SETTINGS.encoding,
      sheet_name: dto.sheet_name ?? null,
      column_map: map,
      is_default: dto.is_default ?? false,
    };
    const profile = await this.guard(() => this.profiles.create(values, tx));
    return suggestion ? { ...profile, suggestion } : profile;
  }

  /** PATCH: only the given settings; PUT (`replace`): omitted settings return to their defaults. */
  async update(
    id: number,
    dto: ImportProfilePatchBody,
    replace: boolean,
    tx?: EntityManager,
  ): Promise<ImportProfile & { suggestion?: MappingSuggestion }> {
    const values: Partial<ImportProfileValues> = replace
      ? {
          wholesaler: null,
          delimiter: DEFAULT_RUN_SETTINGS.delimiter,
          decimal_separator: DEFAULT_RUN_SETTINGS.decimal_separator,
          date_format: DEFAULT_RUN_SETTINGS.date_format,
          encoding: DEFAULT_RUN_SETTINGS.encoding,
          sheet_name: null,
          column_map: {},
          is_default: false,
        }
      : {};
    if (dto.name !== undefined) values.name = dto.name.trim();
    if (dto.wholesaler !== undefined) values.wholesaler = dto.wholesaler;
    if (dto.delimiter !== undefined) values.delimiter = dto.delimiter;
    if (dto.decimal_separator !== undefined) values.decimal_separator = dto.decimal_separator;
    if (dto.date_format !== undefined) values.date_format = dto.date_format;
    if (dto.encoding !== undefined) values.encoding = dto.encoding;
    if (dto.sheet_name !== undefined) values.sheet_name = dto.sheet_name;
    if (dto.column_map !== undefined) values.column_map = validColumnMap(dto.column_map);
    if (dto.is_default !== undefined) values.is_default = dto.is_default;
    const profile = await this.guard(() => this.profiles.update(id, values, tx));
    if (!profile) throw new ProfileNotFoundException(id);
    return dto.sample_headers
      ? { ...profile, suggestion: suggest(dto.sample_headers, validColumnMap(profile.column_map)) }
      : profile;
  }

  async remove(id: number, tx?: EntityManager): Promise<void> {
    if (!(await this.profiles.remove(id, tx))) throw new ProfileNotFoundException(id);
  }

  suggest(headers: readonly string[], columnMap: Record<string, string | null> = {}): MappingSuggestion {
    return suggest(headers, validColumnMap(columnMap));
  }

  /**
   * The settings of an import: the named profile (id or name), else the default profile, else
   * the built-in defaults (auto-detected delimiter and encoding, decimal comma, DD.MM.YYYY).
   */
  async settingsFor(
    ref: string | number | undefined,
    field = 'profile',
  ): Promise<{ id: number | null; settings: RunSettings }> {
    let profile: ImportProfile | undefined;
    if (ref !== undefined && ref !== '') {
      const text = String(ref).trim();
      profile = /^\d{1,9}$/.test(text) ? await this.profiles.get(Number(text)) : await this.profiles.byName(text);
      if (!profile) throw new FieldValidationException(field, `no import profile ${JSON.stringify(text)}`);
    } else {
      profile = await this.profiles.getDefault();
    }
    if (!profile) return { id: null, settings: DEFAULT_RUN_SETTINGS };
    return {
      id: profile.id,
      settings: {
        profile: { id: profile.id, name: profile.name },
        delimiter: profile.delimiter,
        decimal_separator: profile.decimal_separator,
        date_format: profile.date_format,
        encoding: profile.encoding,
        sheet_name: profile.sheet_name,
        column_map: profile.column_map,
      },
    };
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof DuplicateProfileNameError) {
        throw new ConflictApiException('profile_exists', 'an import profile with this name exists');
      }
      throw err;
    }
  }
}

function suggest(headers: readonly string[], columnMap: Record<string, CatalogueField | null>): MappingSuggestion {
  const mapping = mapColumns(headers, CATALOGUE_HEADER_VARIANTS, REQUIRED_CATALOGUE_FIELDS, columnMap);
  return { columns: mapping.columns, unmapped: mapping.unmapped, missing_required: mapping.missingRequired };
}

/** Checks header → field entries; a bad one is a 400 naming `column_map.<header>`. */
function validColumnMap(map: Record<string, unknown>): Record<string, CatalogueField | null> {
  const entries = Object.entries(map);
  if (entries.length > 500) throw new FieldValidationException('column_map', 'must have at most 500 entries');
  for (const [header, field] of entries) {
    if (header.length > 200) throw new FieldValidationException('column_map', 'headers must be at most 200 characters');
    if (field !== null && !(CATALOGUE_FIELDS as readonly unknown[]).includes(field)) {
      throw new FieldValidationException(
        `column_map.${header}`,
        `must be null or one of: ${CATALOGUE_FIELDS.join(', ')}`,
      );
    }
  }
  return map as Record<string, CatalogueField | null>;
}
