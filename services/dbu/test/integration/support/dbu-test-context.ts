import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext, Type } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createLogger, NestWinstonLogger, type Logger } from '@pjs/logger';
import { createMigratedDatabase, waitFor, writeCatalogue } from '@pjs/testing';
import { createImportServices, dbuMigrations, loadDbuConfig, type DbuConfig, type ImportServices } from '../../../src';
import { CoreModule } from '../../../src/core.module';
import type { ErrorPolicy, ImportKind, ImportRunRow } from '../../../src/imports/runs/import-run.types';
import type { RunResult } from '../../../src/imports/runs/import-runner';

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

/** A fresh dbu database (all migrations), a media folder and the import services on them (as the CLI has them). */
export async function createDbuTestContext(label: string): Promise<DbuTestContext> {
  const db = await createMigratedDatabase(label, { migrations: dbuMigrations, poolSize: 6 });
  const mediaDir = await mkdtemp(join(tmpdir(), 'dbu-media-'));
  const dir = await mkdtemp(join(tmpdir(), 'dbu-fixtures-'));
  const logger = quietLogger();
  const config = await loadDbuConfig({
    DATABASE_URL: db.db.url,
    MEDIA_DIR: mediaDir,
    LOG_LEVEL: 'error',
    IMPORT_MAX_ATTEMPTS: '3',
  });
  const services = await createImportServices(config, db.dataSource, logger);
  return {
    dataSource: db.dataSource,
    databaseUrl: db.db.url,
    mediaDir,
    logger,
    services,
    dir,
    close: async () => {
      await services.close();
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

/** A realistic wholesaler catalogue (the repository's generator: German headers, `;`, decimal commas). */
export function generateCatalogue(
  path: string,
  rows: number,
  options: { latin1?: boolean; seed?: number } = {},
): Promise<void> {
  return writeCatalogue(path, rows, { encoding: options.latin1 ? 'latin1' : 'utf8', seed: options.seed ?? 7 });
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
    // The fakes listen on 127.0.0.1; every other non-public address stays refused.
    OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
    ...env,
  });
}

/** An application context of some feature modules on the test's database, configured by `config`. */
export async function createModuleContext(
  ctx: DbuTestContext,
  config: DbuConfig,
  ...modules: Type<unknown>[]
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    {
      module: class FeaturesUnderTest {},
      imports: [CoreModule.forRoot({ config, dataSource: ctx.dataSource, logger: ctx.logger }), ...modules],
    },
    { logger: new NestWinstonLogger(ctx.logger) },
  );
}

/** waitFor for a value: polls until `check` answers something, and answers it. */
export async function until<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  return (await waitFor(check, timeoutMs)) as T;
}
