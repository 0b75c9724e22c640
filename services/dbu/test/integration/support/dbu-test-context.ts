import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import type { DataSource } from 'typeorm';
import { createLogger, type Logger } from '@pjs/logger';
import { createMigratedDatabase, waitFor } from '@pjs/testing';
import { loadDbuConfig } from '../../../src/config/dbu-config';
import { dbuMigrations } from '../../../src/database/migrations';
import {
  createImportServices,
  type ImportServices,
  type ImportServicesOptions,
} from '../../../src/imports/import-services';
import type { ErrorPolicy, ImportKind, ImportRunRow } from '../../../src/imports/import-run.types';
import type { RunResult } from '../../../src/imports/import-runner';

export const quietLogger = (): Logger =>
  createLogger({ service: 'dbu-test', process: 'worker', level: 'error', stream: new PassThrough() });

export interface DbuTestContext {
  dataSource: DataSource;
  databaseUrl: string;
  mediaDir: string;
  logger: Logger;
  services: ImportServices;
  /** A scratch folder for fixture files. */
  dir: string;
  close(): Promise<void>;
}

/** A fresh dbu database (all migrations), a media folder and the import services on them. */
export async function createDbuTestContext(
  label: string,
  options: Partial<Omit<ImportServicesOptions, 'db' | 'mediaDir' | 'logger'>> = {},
): Promise<DbuTestContext> {
  const db = await createMigratedDatabase(label, { migrations: dbuMigrations, poolSize: 6 });
  const mediaDir = await mkdtemp(join(tmpdir(), 'dbu-media-'));
  const dir = await mkdtemp(join(tmpdir(), 'dbu-fixtures-'));
  const logger = quietLogger();
  const services = createImportServices({
    db: db.dataSource,
    mediaDir,
    logger,
    signalEnabled: false,
    maxAttempts: 3,
    ...options,
  });
  return {
    dataSource: db.dataSource,
    databaseUrl: db.db.url,
    mediaDir,
    logger,
    services,
    dir,
    close: async () => {
      await db.close();
      await rm(mediaDir, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ImportOptions {
  kind?: ImportKind;
  dryRun?: boolean;
  force?: boolean;
  errorPolicy?: ErrorPolicy;
  profile?: string | number;
}

export type ImportAttempt = { duplicate: ImportRunRow } | { run: ImportRunRow; result: RunResult };

/** What `pnpm dbu import <file>` does: store the file, record the run, run it in-process. */
export async function importFile(
  ctx: DbuTestContext,
  path: string,
  options: ImportOptions = {},
): Promise<ImportAttempt> {
  const file = await ctx.services.media.saveLocalFile(path);
  const submission = await ctx.services.requests.submit({
    kind: options.kind ?? 'catalogue',
    file,
    profile: options.profile,
    errorPolicy: options.errorPolicy ?? 'apply-valid',
    dryRun: options.dryRun ?? false,
    force: options.force ?? false,
    source: 'cli',
    requestedBy: 'tester',
    enqueue: false,
  });
  if (submission.duplicate) return { duplicate: submission.existing };
  const result = await ctx.services.runner.execute(submission.run.id, { finalAttempt: true });
  return { run: (await ctx.services.runs.get(submission.run.id))!, result };
}

/** Like importFile, but expects a finished run and answers it. */
export async function importRun(ctx: DbuTestContext, path: string, options: ImportOptions = {}): Promise<ImportRunRow> {
  const attempt = await importFile(ctx, path, options);
  if ('duplicate' in attempt) throw new Error(`unexpected duplicate of ${attempt.duplicate.id}`);
  return attempt.run;
}

export async function writeFixture(ctx: DbuTestContext, name: string, content: string | Buffer): Promise<string> {
  const path = join(ctx.dir, name);
  await writeFile(path, content);
  return path;
}

const GENERATOR = resolve(__dirname, '../../../../../../shared/tools/gen_catalogue.py');

/** A realistic wholesaler catalogue from the shared generator (German headers, `;`, decimal commas). */
export function generateCatalogue(path: string, rows: number, options: { latin1?: boolean; seed?: number } = {}): void {
  const args = [
    GENERATOR,
    String(rows),
    path,
    ...(options.latin1 ? ['--latin1'] : []),
    '--seed',
    String(options.seed ?? 7),
  ];
  const result = spawnSync('python3', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`gen_catalogue.py failed: ${result.stderr}`);
}

export const HEADER =
  'Artikelnummer;EAN;Bezeichnung;Hersteller;Lizenz;Kategorie;EK-Preis;UVP;Erscheinungsdatum;Gewicht (kg);Bild-URL;Beschreibung';

/** A product row in the generator's layout (values as a German export writes them). */
export interface FixtureRow {
  item_no: string;
  ean?: string;
  title: string;
  manufacturer?: string;
  license?: string;
  category?: string;
  ek?: string;
  uvp?: string;
  date?: string;
  weight?: string;
  image?: string;
  description?: string;
}

export function csvLine(row: FixtureRow): string {
  const quote = (v: string | undefined) => {
    const text = v ?? '';
    return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [
    row.item_no,
    row.ean,
    row.title,
    row.manufacturer,
    row.license,
    row.category,
    row.ek,
    row.uvp,
    row.date,
    row.weight,
    row.image,
    row.description,
  ]
    .map(quote)
    .join(';');
}

/** Valid EAN-13 from a 12-digit body. */
export function ean13(body: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(body[i]) * (i % 2 ? 3 : 1);
  return body + String((10 - (sum % 10)) % 10);
}

/** The dbu config of a worker in a test: the test's database, media folder and broker vhost. */
export function testConfig(ctx: DbuTestContext, rabbitUrl: string, env: Record<string, string> = {}) {
  return loadDbuConfig({
    DATABASE_URL: ctx.databaseUrl,
    RABBITMQ_URL: rabbitUrl,
    MEDIA_DIR: ctx.mediaDir,
    METRICS_PORT: '0',
    LOG_LEVEL: 'error',
    // Generated catalogues point at img.example.test: fail those downloads fast.
    PHOTO_TIMEOUT: '300ms',
    ...env,
  });
}

/** waitFor for a value: polls until `check` answers something, and answers it. */
export async function until<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  return (await waitFor(check, timeoutMs)) as T;
}
