import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dbuOpenApiDocument } from '@pjs/dbu';
import { imOpenApiDocument } from '@pjs/im';
import { startDbu, startIm, type RunningApp } from './support/web-apps';

/**
 * The admin's types are generated from apps/admin/openapi/*.json (openapi-typescript, at build).
 * These must be the documents the apps serve: a changed route fails here, and once the document
 * is refreshed (`UPDATE_OPENAPI=1 pnpm exec jest apps/admin/test/openapi-documents.test.ts`),
 * the admin's build fails wherever the data provider no longer fits. The documents the OpenAPI lint
 * builds without a server (`pnpm run lint:openapi`) must be these very documents too.
 */
const DOCS = join(__dirname, '..', 'openapi');

async function served(app: RunningApp): Promise<unknown> {
  const res = await fetch(`${app.baseUrl}/api/docs/openapi.json`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('the OpenAPI documents the admin is typed from', () => {
  const apps: RunningApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it.each([
    ['dbu', startDbu, dbuOpenApiDocument],
    ['im', startIm, imOpenApiDocument],
  ] as const)('apps/admin/openapi/%s.json is what the app serves and the lint builds', async (name, start, build) => {
    const app = await start(`admin_openapi_${name}`);
    apps.push(app);
    const document = await served(app);
    const file = join(DOCS, `${name}.json`);
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(document);
    expect(await build()).toEqual(document);
  });
});
