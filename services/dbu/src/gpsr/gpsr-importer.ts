import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { QueryRunner } from 'typeorm';
import { AuditWriter } from '@pjs/audit';
import { EventTypes, type CatalogueImported } from '@pjs/contracts';
import { LOGGER, type Logger } from '@pjs/logger';
import { enqueueEvent } from '@pjs/messaging';
import { cleanName, nameKey } from '../catalogue/name-key';
import { queryRows, type SqlExecutor } from '../shared/sql';
import { mapColumns, type MappedColumn } from '../import-profiles/column-mapping';
import { readHeader } from '../imports/read/read-header';
import { copyRows } from '../imports/stage/copy-rows';
import { lockCatalogueForMerge } from '../imports/merge/catalogue-lock';
import type { RowError } from '../imports/map/catalogue-row.encoder';
import { copyLine } from '../imports/stage/copy-text';
import { importAppliedEntry } from '../imports/runs/import-audit';
import { ImportProgress, type ProgressListener } from '../imports/runs/import-progress';
import { ImportRunRepository } from '../imports/runs/import-run.repository';
import type { ImportCounts, ImportRunRow } from '../imports/runs/import-run.types';
import { ImportFileError } from '../imports/read/import-file.error';
import { IMPORT_OPTIONS, type ImportOptions } from '../imports/runs/import.options';
import { ImporterRegistry, type ImportOutcome, type KindImporter } from '../imports/runs/importer-registry';
import { MediaStore } from '../imports/upload/media-store';
import { openRowSource, type SourceRow } from '../imports/read/row-source';
import {
  GPSR_HEADER_VARIANTS,
  MANUFACTURER_GPSR_COLUMNS,
  REQUIRED_GPSR_FIELDS,
  manufacturerMatchKey,
  parseContactUrl,
  parseCountry,
  parseEmail,
  parseItemNo,
  parseLine,
  parseText,
  splitAddress,
  type GpsrField,
  type ManufacturerGpsrColumn,
} from './gpsr-fields';

type GpsrValues = Partial<Record<ManufacturerGpsrColumn, string>>;

/** The spellings and values one manufacturer has across the rows of the file. */
interface ManufacturerGroup {
  names: Map<string, number>;
  values: Map<ManufacturerGpsrColumn, Map<string, number>>;
}

interface ExistingManufacturer extends Record<ManufacturerGpsrColumn, string | null> {
  id: number;
  name: string;
  products: number;
}

const LIST_LIMIT = 50;

/**
 * GPSR spreadsheets (manufacturer name, address, contact, EU responsible person; optionally the
 * item numbers they apply to) → deduplicated manufacturers with their GPSR data, linked to the
 * products. The most frequent value of a manufacturer's rows wins; disagreements are reported.
 */
@Injectable()
export class GpsrImporter implements KindImporter, OnModuleInit {
  constructor(
    private readonly runs: ImportRunRepository,
    private readonly media: MediaStore,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(IMPORT_OPTIONS) private readonly options: Pick<ImportOptions, 'signalEnabled'>,
    private readonly registry: ImporterRegistry,
    private readonly audit: AuditWriter,
  ) {}

  onModuleInit(): void {
    this.registry.register('gpsr', this);
  }

  async run(qr: QueryRunner, run: ImportRunRow, listener?: ProgressListener): Promise<ImportOutcome> {
    if (!(await this.media.uploadExists(run.file_sha256))) {
      throw new ImportFileError('the uploaded file is no longer stored (cleaned up); upload it again');
    }
    const source = await openRowSource(this.media.uploadPath(run.file_sha256), {
      delimiter: run.settings.delimiter,
      encoding: run.settings.encoding,
      sheetName: run.settings.sheet_name,
      decimalSeparator: run.settings.decimal_separator,
      tmpDir: this.media.tmpDir,
    });
    const progress = new ImportProgress(
      this.runs,
      run.id,
      () => ({ read: source.bytesRead(), total: source.bytesTotal }),
      this.logger,
      listener,
    );
    const started = Date.now();
    progress.start();
    const client = (await qr.connect()) as PoolClient;
    await qr.startTransaction();
    try {
      const batches = source.rows[Symbol.asyncIterator]() as AsyncIterator<SourceRow[]>;
      const { header, rest } = await readHeader(batches);
      const mapping = mapColumns(header, GPSR_HEADER_VARIANTS, REQUIRED_GPSR_FIELDS);
      await this.runs.saveMapping(run.id, {
        header,
        columns: mapping.columns,
        unmapped: mapping.unmapped,
        source: source.description,
      });
      if (mapping.missingRequired.length) {
        throw new ImportFileError(
          `no manufacturer column (e.g. "Hersteller" or "Manufacturer"); the header has: ${header.join(', ')}`,
        );
      }
      await qr.query(
        `CREATE TEMP TABLE gpsr_stage (row_no integer NOT NULL, item_no text, match_key text, safety_warnings text,
                                       errors text, raw text NOT NULL) ON COMMIT DROP`,
      );
      const reader = new GpsrRowReader(mapping.columns);
      await copyRows(
        batches,
        rest,
        (row) => reader.encode(row),
        client.query(copyFrom(`COPY gpsr_stage (row_no, item_no, match_key, safety_warnings, errors, raw) FROM STDIN`)),
        () => progress.setRows(reader.rows),
      );
      const parseMs = Date.now() - started;
      progress.setPhase('merging');
      const mergeStarted = Date.now();

      await lockCatalogueForMerge(qr);
      const unknownItems = await markUnknownItems(qr);
      await this.runs.saveRejectedFromStage(qr, 'gpsr_stage', run.id);
      const invalid = reader.invalid + unknownItems;
      const rejectAll = run.error_policy === 'reject-all' && invalid > 0;

      await qr.query(`SAVEPOINT gpsr_apply`);
      const merged = await this.mergeManufacturers(qr, reader.groups);
      await qr.query(
        `CREATE TEMP TABLE gpsr_manufacturer (match_key text PRIMARY KEY, id integer NOT NULL) ON COMMIT DROP`,
      );
      await qr.query(`INSERT INTO gpsr_manufacturer SELECT * FROM unnest($1::text[], $2::int[])`, [
        [...merged.canonical.keys()],
        [...merged.canonical.values()],
      ]);
      const links = await linkProducts(qr, run.id, run.requested_by);
      const incomplete = await queryRows<{ n: number }>(
        qr,
        `SELECT count(*)::int AS n FROM products p LEFT JOIN manufacturers m ON m.id = p.manufacturer_id
          WHERE NOT p.is_deleted AND NOT coalesce(m.gpsr_complete, false)`,
      );
      const incompleteManufacturers = await queryRows<{ name: string; missing: string[] }>(
        qr,
        `SELECT m.name, m.gpsr_missing AS missing FROM manufacturers m
          WHERE m.id = ANY($1::int[]) AND NOT m.gpsr_complete ORDER BY m.name LIMIT ${LIST_LIMIT}`,
        [[...new Set(merged.canonical.values())]],
      );
      const counts: ImportCounts = {
        new: merged.created,
        changed: merged.updated,
        unchanged: reader.groups.size - merged.created - merged.updated,
        invalid,
      };
      const details = {
        manufacturers_in_file: reader.groups.size,
        products_linked: links.linked,
        products_changed: links.changed,
        history_rows: links.history,
        unknown_items: unknownItems,
        incomplete_products: incomplete[0]?.n ?? 0,
        incomplete_manufacturers: incompleteManufacturers,
        conflicts: merged.conflicts,
      };
      const apply = !run.dry_run && !rejectAll;
      if (!apply) await qr.query(`ROLLBACK TO SAVEPOINT gpsr_apply`);
      const status = rejectAll ? 'rejected' : 'succeeded';
      await progress.stop();
      await this.runs.finish(qr, run.id, {
        status,
        counts,
        blank: reader.blank,
        rowsTotal: reader.rows,
        rowsPerSecond: reader.rows / Math.max(0.001, (Date.now() - started) / 1000),
        parseMs,
        mergeMs: Date.now() - mergeStarted,
        details,
        diff: run.dry_run ? { ...counts, ...details } : undefined,
        error: rejectAll ? `${invalid} invalid row(s): with the error policy reject-all nothing was changed` : null,
        signalStatus: apply && links.changed > 0 && this.options.signalEnabled ? 'pending' : null,
      });
      let eventId: string | undefined;
      if (apply && links.changed > 0) {
        const data: CatalogueImported = {
          import_id: run.id,
          status: 'succeeded',
          counts: { new: 0, changed: links.changed, unchanged: links.linked - links.changed, invalid },
          changed_items_url: `/api/products/?changed_in_import=${run.id}`,
        };
        eventId = (await enqueueEvent(qr.manager, EventTypes.catalogueImported, data)).id;
      }
      if (apply) {
        await this.audit.record(
          importAppliedEntry(run, counts, { products_changed: links.changed, unknown_items: unknownItems }),
          qr.manager,
        );
      }
      await qr.commitTransaction();
      return { status, dryRun: run.dry_run, counts, eventId };
    } catch (err) {
      await progress.stop();
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      source.rows.destroy();
    }
  }

  /** Creates or updates one manufacturer per group; answers the canonical id per match key. */
  private async mergeManufacturers(tx: SqlExecutor, groups: Map<string, ManufacturerGroup>) {
    const existing = await queryRows<ExistingManufacturer>(
      tx,
      `SELECT m.id, m.name, ${MANUFACTURER_GPSR_COLUMNS.map((c) => `m.${c}`).join(', ')},
              (SELECT count(*)::int FROM products p WHERE p.manufacturer_id = m.id) AS products
         FROM manufacturers m ORDER BY m.id`,
    );
    const byKey = new Map<string, ExistingManufacturer[]>();
    for (const m of existing) {
      const key = manufacturerMatchKey(m.name);
      byKey.set(key, [...(byKey.get(key) ?? []), m]);
    }
    const canonical = new Map<string, number>();
    const conflicts: { manufacturer: string; field: string; values: string[] }[] = [];
    let created = 0;
    let updated = 0;
    for (const [key, group] of groups) {
      const name = mostFrequent(group.names)!;
      const chosen: GpsrValues = {};
      for (const [column, values] of group.values) {
        chosen[column] = mostFrequent(values);
        if (values.size > 1 && conflicts.length < LIST_LIMIT) {
          conflicts.push({ manufacturer: name, field: column, values: [...values.keys()].slice(0, 5) });
        }
      }
      const matches = byKey.get(key);
      if (!matches) {
        const columns = Object.keys(chosen) as ManufacturerGpsrColumn[];
        const rows = await queryRows<{ id: number }>(
          tx,
          `INSERT INTO manufacturers (name, name_key${columns.map((c) => `, ${c}`).join('')})
           VALUES ($1, $2${columns.map((_, i) => `, $${i + 3}`).join('')})
           ON CONFLICT (name_key) DO UPDATE SET updated_at = manufacturers.updated_at RETURNING id`,
          [cleanName(name), nameKey(name), ...columns.map((c) => chosen[c])],
        );
        canonical.set(key, rows[0].id);
        created += 1;
        continue;
      }
      // Every spelling already known gets the data (products may point at any of them);
      // new links go to the one with the most products.
      let changed = false;
      for (const m of matches) {
        const columns = (Object.keys(chosen) as ManufacturerGpsrColumn[]).filter((c) => (m[c] ?? null) !== chosen[c]);
        if (columns.length === 0) continue;
        changed = true;
        await tx.query(
          `UPDATE manufacturers SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`,
          [m.id, ...columns.map((c) => chosen[c])],
        );
      }
      if (changed) updated += 1;
      canonical.set(key, [...matches].sort((a, b) => b.products - a.products || a.id - b.id)[0].id);
    }
    return { canonical, created, updated, conflicts };
  }
}

/** Rows naming an item number no product has are rejected with that reason; answers how many. */
async function markUnknownItems(tx: SqlExecutor): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    tx,
    `WITH upd AS (
       UPDATE gpsr_stage s SET errors = json_build_array(json_build_object(
              'column', 'item_no', 'value', s.item_no, 'reason', 'no product has this item number'))::text
        WHERE s.errors IS NULL AND s.item_no IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM products p WHERE p.item_no = s.item_no)
       RETURNING 1
     ) SELECT count(*)::int AS n FROM upd`,
  );
  return rows[0]?.n ?? 0;
}

/** Points the listed products at their manufacturer (history first); the last row of an item wins. */
async function linkProducts(
  tx: SqlExecutor,
  importId: string,
  actor: string | null,
): Promise<{ linked: number; changed: number; history: number }> {
  await tx.query(
    `CREATE TEMP TABLE gpsr_links ON COMMIT DROP AS
     SELECT DISTINCT ON (s.item_no) s.item_no, gm.id AS manufacturer_id, s.safety_warnings
       FROM gpsr_stage s JOIN gpsr_manufacturer gm ON gm.match_key = s.match_key
      WHERE s.errors IS NULL AND s.item_no IS NOT NULL
      ORDER BY s.item_no, s.row_no DESC`,
  );
  const history = await queryRows<{ n: number }>(
    tx,
    `WITH ins AS (
       INSERT INTO product_history (item_no, field, old_value, new_value, source_type, source_ref, actor)
       SELECT l.item_no, v.field, v.old_value, v.new_value, 'import', $1, $2
         FROM gpsr_links l JOIN products p ON p.item_no = l.item_no
        CROSS JOIN LATERAL (VALUES
          ('manufacturer_id', p.manufacturer_id::text, l.manufacturer_id::text),
          ('safety_warnings', p.safety_warnings, coalesce(l.safety_warnings, p.safety_warnings))
        ) AS v(field, old_value, new_value)
        WHERE v.old_value IS DISTINCT FROM v.new_value
        ORDER BY l.item_no
       RETURNING 1
     ) SELECT count(*)::int AS n FROM ins`,
    [importId, actor],
  );
  const changed = await queryRows<{ n: number }>(
    tx,
    `WITH upd AS (
       UPDATE products p SET manufacturer_id = l.manufacturer_id,
              safety_warnings = coalesce(l.safety_warnings, p.safety_warnings),
              last_import_id = $1::uuid, updated_at = now()
         FROM gpsr_links l
        WHERE p.item_no = l.item_no
          AND (p.manufacturer_id IS DISTINCT FROM l.manufacturer_id
               OR (l.safety_warnings IS NOT NULL AND p.safety_warnings IS DISTINCT FROM l.safety_warnings))
       RETURNING 1
     ) SELECT count(*)::int AS n FROM upd`,
    [importId],
  );
  const linked = await queryRows<{ n: number }>(tx, `SELECT count(*)::int AS n FROM gpsr_links`);
  return { linked: linked[0]?.n ?? 0, changed: changed[0]?.n ?? 0, history: history[0]?.n ?? 0 };
}

function mostFrequent(values: Map<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const [value, count] of values) {
    if (count > bestCount) [best, bestCount] = [value, count];
  }
  return best;
}

/** Reads GPSR rows: groups manufacturers in memory (few), stages item links and rejects as COPY text. */
class GpsrRowReader {
  rows = 0;
  blank = 0;
  invalid = 0;
  readonly groups = new Map<string, ManufacturerGroup>();
  private readonly columns: Map<GpsrField, MappedColumn<GpsrField>>;

  constructor(columns: MappedColumn<GpsrField>[]) {
    this.columns = new Map(columns.map((c) => [c.field, c]));
  }

  encode(row: SourceRow): string {
    this.rows += 1;
    if (row.fields.every((f) => f.trim() === '')) {
      this.blank += 1;
      return '';
    }
    const errors: RowError[] = row.problem ? [{ column: '', value: '', reason: row.problem }] : [];
    const read = (
      field: GpsrField,
      parse: (raw: string) => { ok: true; value: string | null } | { ok: false; reason: string },
    ) => {
      const column = this.columns.get(field);
      if (!column) return null;
      const raw = row.fields[column.index] ?? '';
      const result = parse(raw);
      if (result.ok) return result.value;
      errors.push({ column: column.header, value: raw.slice(0, 200), reason: result.reason });
      return null;
    };
    const name = read('manufacturer', (raw) => parseLine(raw, 300));
    if (!name && !errors.length) {
      errors.push({
        column: this.columns.get('manufacturer')!.header,
        value: '',
        reason: 'manufacturer name is missing',
      });
    }
    const values: GpsrValues = {};
    const set = (column: ManufacturerGpsrColumn, value: string | null) => {
      if (value) values[column] = value;
    };
    set(
      'street',
      read('street', (raw) => parseLine(raw, 300)),
    );
    set(
      'postal_code',
      read('postal_code', (raw) => parseLine(raw, 20)),
    );
    set(
      'city',
      read('city', (raw) => parseLine(raw, 200)),
    );
    set('country', read('country', parseCountry));
    const address = read('address', (raw) => parseText(raw, 1000));
    if (address) {
      const parts = splitAddress(address);
      for (const column of ['street', 'postal_code', 'city', 'country'] as const) {
        if (!values[column] && parts[column])
          values[column] = parts[column].slice(0, column === 'postal_code' ? 20 : 200);
      }
    }
    set('email', read('email', parseEmail));
    set('contact_url', read('contact_url', parseContactUrl));
    set(
      'eu_responsible_name',
      read('eu_responsible_name', (raw) => parseLine(raw, 300)),
    );
    set(
      'eu_responsible_address',
      read('eu_responsible_address', (raw) => parseText(raw, 1000)),
    );
    set('eu_responsible_email', read('eu_responsible_email', parseEmail));
    const itemNo =
      this.columns.has('item_no') && (row.fields[this.columns.get('item_no')!.index] ?? '').trim()
        ? read('item_no', parseItemNo)
        : null;
    const safety = read('safety_warnings', (raw) => parseText(raw));
    const raw = JSON.stringify(row.fields);
    if (errors.length || !name) {
      this.invalid += 1;
      return copyLine([row.rowNo, null, null, null, JSON.stringify(errors), raw]);
    }
    const key = manufacturerMatchKey(name);
    const group: ManufacturerGroup = this.groups.get(key) ?? {
      names: new Map<string, number>(),
      values: new Map<ManufacturerGpsrColumn, Map<string, number>>(),
    };
    this.groups.set(key, group);
    group.names.set(name, (group.names.get(name) ?? 0) + 1);
    for (const [column, value] of Object.entries(values) as [ManufacturerGpsrColumn, string][]) {
      const counts = group.values.get(column) ?? new Map<string, number>();
      group.values.set(column, counts);
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    if (!itemNo && !safety) return '';
    return copyLine([row.rowNo, itemNo, key, safety, null, raw]);
  }
}
