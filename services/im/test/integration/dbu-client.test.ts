import { createLogger } from '@pjs/logger';
import { registry } from '@pjs/metrics';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { waitFor } from '@pjs/testing';
import { DbuClient, type DbuClientOptions } from '../../src/dbu-client/dbu-client';
import { DbuClientError } from '../../src/dbu-client/dbu-client.errors';
import { MisbehavingDbuFake } from '../fakes/misbehaving-dbu.fake';

const logger = createLogger({
  service: 'im-test',
  process: 'worker',
  level: 'error',
  stream: new Writable({ write: (_c, _e, cb) => cb() }),
});

async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return match?.value ?? 0;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failure(promise: Promise<unknown>): Promise<DbuClientError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DbuClientError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe(DbuClient.name, () => {
  let fake: MisbehavingDbuFake;
  let clock: number;

  const client = (overrides: Partial<DbuClientOptions> = {}) =>
    new DbuClient(
      {
        baseUrl: fake.url,
        username: fake.username,
        password: fake.password,
        timeoutMs: 2000,
        retries: 3,
        retryBaseMs: 1,
        retryMaxMs: 5,
        breakerThreshold: 3,
        breakerCooldownMs: 30_000,
        now: () => clock,
        ...overrides,
      },
      logger,
    );

  beforeEach(async () => {
    clock = 1_000_000;
    fake = new MisbehavingDbuFake();
    await fake.start();
    fake.addProduct('A-1', {
      title: 'Millennium Falcon',
      manufacturer: { id: 4, name: 'Hasbro' },
      license: { id: 1, name: 'Star Wars' },
      category: { id: 3, name: 'Vehicles', path: 'Toys/Vehicles' },
      release_date: '2025-03-01',
      rrp: '149.99',
      photos: [{ url: 'http://img/a1.jpg' }],
      gpsr_complete: true,
      updated_at: '2025-01-02T03:04:05Z',
    });
    fake.addProduct('A-2', { title: 'X-Wing', license: 'Star Wars', rrp: 59.5 });
  });

  afterEach(() => fake.stop());

  describe('authentication', () => {
    it('logs in once with DBU_USERNAME/DBU_PASSWORD and reuses the token', async () => {
      const dbu = client();
      await dbu.getProduct('A-1');
      await dbu.getProduct('A-2');
      await dbu.search('wing');
      expect(fake.countOf('/api-token-auth/')).toBe(1);
      const auth = fake.requests.filter((r) => r.path !== '/api-token-auth/').map((r) => r.authorization);
      expect(new Set(auth).size).toBe(1);
      expect(auth[0]).toMatch(/^Token [0-9a-f]+$/);
    });

    it('logs in once for concurrent first calls', async () => {
      const dbu = client();
      await Promise.all([dbu.getProduct('A-1'), dbu.getProduct('A-2'), dbu.search('x')]);
      expect(fake.countOf('/api-token-auth/')).toBe(1);
    });

    it('uses DBU_TOKEN without logging in', async () => {
      const dbu = client({ username: undefined, password: undefined, token: fake.issueToken() });
      expect((await dbu.getProduct('A-2'))?.title).toBe('X-Wing');
      expect(fake.countOf('/api-token-auth/')).toBe(0);
    });

    it('logs in again once when DBU refuses the token (401) and repeats the request', async () => {
      const dbu = client();
      await dbu.getProduct('A-1');
      fake.faults.push('expire-token');
      expect((await dbu.getProduct('A-2'))?.title).toBe('X-Wing');
      expect(fake.countOf('/api-token-auth/')).toBe(2);
      expect(fake.countOf('/api/products/A-2/')).toBe(2);
    });

    it('replaces a refused DBU_TOKEN by logging in when credentials are configured', async () => {
      const dbu = client({ token: 'revoked-token' });
      expect((await dbu.getProduct('A-1'))?.title).toBe('Millennium Falcon');
      expect(fake.countOf('/api-token-auth/')).toBe(1);
    });

    it('fails with dbu_auth_failed (502) when DBU rejects the credentials', async () => {
      const err = await failure(client({ password: 'wrong' }).getProduct('A-1'));
      expect(err.getStatus()).toBe(502);
      expect(err.getResponse()).toMatchObject({ code: 'dbu_auth_failed' });
      expect(err.message).toMatch(/DBU_USERNAME/);
    });

    it('fails with dbu_auth_failed when a DBU_TOKEN alone is refused', async () => {
      const dbu = client({ username: undefined, password: undefined, token: 'nope' });
      const err = await failure(dbu.getProduct('A-1'));
      expect(err.kind).toBe('auth_failed');
      expect(fake.countOf('/api-token-auth/')).toBe(0);
    });

    describe('a DBU_TOKEN from a secret file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'dbu-token-'));
      /** Writes the file as a Vault Agent does: a temporary file renamed over the old one. */
      const writeSecret = (path: string, content: string) => {
        writeFileSync(`${path}.tmp`, content);
        renameSync(`${path}.tmp`, path);
      };
      const fileClient = (path: string, kind: 'file' | 'env-file', token: string) =>
        client({
          username: undefined,
          password: undefined,
          token,
          tokenFrom: { kind, path },
          tokenWatchIntervalMs: 20,
        });

      it('reads the file again on a 401 and repeats the call with the rotated token', async () => {
        const path = join(dir, 'dbu_token');
        const old = fake.issueToken();
        writeSecret(path, `${old}\n`);
        // the watcher does not look in time: the 401 itself makes the client read the file
        const dbu = client({ username: undefined, password: undefined, token: old, tokenFrom: { kind: 'file', path } });
        try {
          expect((await dbu.getProduct('A-1'))?.title).toBe('Millennium Falcon');
          fake.forgetTokens();
          const next = fake.issueToken();
          writeSecret(path, `${next}\n`);
          expect((await dbu.getProduct('A-2'))?.title).toBe('X-Wing');
          expect(fake.requests.slice(-2).map((r) => r.authorization)).toEqual([`Token ${old}`, `Token ${next}`]);
          expect(fake.countOf('/api-token-auth/')).toBe(0);
        } finally {
          dbu.onModuleDestroy();
        }
      });

      it('picks up a token rendered into a Vault Agent env file when the file changes', async () => {
        const path = join(dir, 'app.env');
        const old = fake.issueToken();
        writeSecret(path, `DBU_TOKEN=\`${old}\`\nOTHER=x\n`);
        const dbu = fileClient(path, 'env-file', old);
        try {
          await dbu.getProduct('A-1');
          const next = fake.issueToken();
          writeSecret(path, `DBU_TOKEN=\`${next}\`\nOTHER=x\n`);
          await waitFor(async () => {
            await dbu.getProduct('A-1');
            return fake.requests.at(-1)?.authorization === `Token ${next}`;
          });
          expect(fake.requests.filter((r) => r.authorization === `Token ${next}`).length).toBeGreaterThan(0);
        } finally {
          dbu.onModuleDestroy();
        }
      });

      it('keeps the token it has while the file is empty (half-written)', async () => {
        const path = join(dir, 'half');
        const old = fake.issueToken();
        writeSecret(path, old);
        const dbu = fileClient(path, 'file', old);
        try {
          writeFileSync(path, '');
          fake.forgetTokens();
          const err = await failure(dbu.getProduct('A-1'));
          expect(err.kind).toBe('auth_failed');
          expect(fake.requests.at(-1)?.authorization).toBe(`Token ${old}`);
        } finally {
          dbu.onModuleDestroy();
        }
      });
    });

    it('fails clearly when no credentials are configured at all', async () => {
      const err = await failure(client({ username: undefined, password: undefined }).getProduct('A-1'));
      expect(err.kind).toBe('auth_failed');
      expect(err.message).toMatch(/DBU_TOKEN/);
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('retries', () => {
    it('retries 5xx answers with backoff and succeeds', async () => {
      const dbu = client();
      await dbu.getProduct('A-1');
      const before = await metricValue('im_dbu_client_errors_total', { kind: 'http_5xx' });
      fake.faults.push('http500', 'http503');
      expect((await dbu.getProduct('A-2'))?.rrp).toBe('59.5');
      expect(fake.countOf('/api/products/A-2/')).toBe(3);
      expect(await metricValue('im_dbu_client_errors_total', { kind: 'http_5xx' })).toBe(before + 2);
    });

    it('retries connection resets and succeeds', async () => {
      const dbu = client();
      await dbu.getProduct('A-1');
      fake.faults.push('reset', 'reset');
      expect((await dbu.getProduct('A-1'))?.license).toBe('Star Wars');
      expect(fake.countOf('/api/products/A-1/')).toBe(4);
    });

    it('gives up after DBU_RETRIES extra tries with dbu_unavailable (502)', async () => {
      const dbu = client({ retries: 2 });
      await dbu.getProduct('A-1');
      fake.outage = 'http503';
      const err = await failure(dbu.getProduct('A-2'));
      expect(err.getStatus()).toBe(502);
      expect(err.getResponse()).toMatchObject({ code: 'dbu_unavailable' });
      expect(err.message).toMatch(/HTTP 503.*3 tries/);
      expect(fake.countOf('/api/products/A-2/')).toBe(3);
    });

    it('answers dbu_unavailable naming the reason when nothing listens', async () => {
      const dbu = client({ baseUrl: `http://127.0.0.1:${await closedPort()}`, retries: 1 });
      const err = await failure(dbu.search('falcon'));
      expect(err.getStatus()).toBe(502);
      expect(err.message).toMatch(/ECONNREFUSED/);
    });

    it('times out a hanging request with dbu_timeout (504) and does not retry it', async () => {
      const dbu = client({ timeoutMs: 150 });
      await dbu.getProduct('A-1');
      fake.faults.push('hang');
      const err = await failure(dbu.getProduct('A-2'));
      expect(err.getStatus()).toBe(504);
      expect(err.getResponse()).toMatchObject({ code: 'dbu_timeout' });
      expect(fake.countOf('/api/products/A-2/')).toBe(1);
    });

    it('reports a non-JSON answer as dbu_bad_response', async () => {
      const dbu = client();
      await dbu.getProduct('A-1');
      fake.faults.push('garbage');
      const err = await failure(dbu.getProduct('A-2'));
      expect(err.getResponse()).toMatchObject({ code: 'dbu_bad_response' });
    });
  });

  describe('circuit breaker', () => {
    it('opens after the threshold, fails fast, half-opens after the cooldown and closes on success', async () => {
      const dbu = client({ retries: 0, breakerThreshold: 2, breakerCooldownMs: 10_000 });
      await dbu.getProduct('A-1');
      expect(dbu.breakerState).toBe('closed');
      expect(await metricValue('im_dbu_breaker_state')).toBe(0);

      fake.outage = 'http500';
      await failure(dbu.getProduct('A-1'));
      expect(dbu.breakerState).toBe('closed');
      await failure(dbu.getProduct('A-1'));
      expect(dbu.breakerState).toBe('open');
      expect(await metricValue('im_dbu_breaker_state')).toBe(2);

      // Open: no request reaches DBU.
      const sent = fake.requests.length;
      const open = await failure(dbu.getProduct('A-1'));
      expect(fake.requests.length).toBe(sent);
      expect(open.getStatus()).toBe(502);
      expect(open.getResponse()).toMatchObject({ code: 'dbu_unavailable' });
      expect(open.message).toMatch(/circuit open after 2 consecutive failures; next attempt in 10 s/);

      // After the cooldown one trial goes through; it fails, so the circuit opens again.
      clock += 10_000;
      await failure(dbu.getProduct('A-1'));
      expect(fake.requests.length).toBe(sent + 1);
      expect(dbu.breakerState).toBe('open');

      // Next trial succeeds: closed again.
      clock += 10_000;
      fake.outage = undefined;
      expect((await dbu.getProduct('A-1'))?.item_no).toBe('A-1');
      expect(dbu.breakerState).toBe('closed');
      expect(await metricValue('im_dbu_breaker_state')).toBe(0);
    });

    it('lets one trial through while half-open and rejects the others', async () => {
      const dbu = client({ retries: 0, breakerThreshold: 1, breakerCooldownMs: 1000, timeoutMs: 300 });
      await dbu.getProduct('A-1');
      fake.outage = 'http500';
      await failure(dbu.getProduct('A-1'));
      expect(dbu.breakerState).toBe('open');
      clock += 1000;
      fake.outage = 'hang';
      const trial = failure(dbu.getProduct('A-1'));
      const other = await failure(dbu.getProduct('A-2'));
      expect(other.message).toMatch(/circuit open/);
      expect(dbu.breakerState).toBe('half_open');
      expect(await metricValue('im_dbu_breaker_state')).toBe(1);
      expect((await trial).kind).toBe('timeout');
      expect(dbu.breakerState).toBe('open');
    });

    it('does not count a refused login as DBU being down', async () => {
      const dbu = client({ password: 'wrong', breakerThreshold: 1 });
      await failure(dbu.getProduct('A-1'));
      await failure(dbu.getProduct('A-1'));
      expect(dbu.breakerState).toBe('closed');
    });
  });

  describe('lookups', () => {
    it('looks up many item numbers in batches of at most 500, never one request per item', async () => {
      for (let i = 0; i < 1100; i++) fake.addProduct(`B-${i}`);
      const dbu = client();
      const wanted = [...Array.from({ length: 1100 }, (_, i) => `B-${i}`), 'UNKNOWN-1'];
      const found = await dbu.lookup(wanted);
      expect(found.size).toBe(1100);
      expect(found.has('UNKNOWN-1')).toBe(false);
      const lookups = fake.requests.filter((r) => r.path === '/api/products/');
      expect(lookups).toHaveLength(3);
      expect(lookups.map((r) => r.query.get('item_no')!.split(',').length)).toEqual([500, 500, 101]);
    });

    it('keeps each lookup URL short when item numbers are long', () => {
      const dbu = client({ maxQueryLength: 1000 });
      const long = Array.from({ length: 100 }, (_, i) => `${'X'.repeat(60)}-${i}`);
      const chunks = dbu.lookupChunks(long);
      expect(chunks.flat()).toEqual(long);
      for (const chunk of chunks) expect(chunk.join(',').length).toBeLessThanOrEqual(1000);
    });

    it("follows DRF's next links", async () => {
      for (let i = 0; i < 5; i++) fake.addProduct(`C-${i}`, { title: `Changed ${i}` });
      const dbu = client();
      const pages: string[][] = [];
      // An absolute URL on another host: only its path and query are used, against DBU_BASE_URL.
      for await (const page of dbu.changedProducts(
        'http://elsewhere.example/api/products/?search=changed&page_size=2',
      )) {
        pages.push(page.map((p) => p.item_no));
      }
      expect(pages).toEqual([['C-0', 'C-1'], ['C-2', 'C-3'], ['C-4']]);
      expect(fake.requests.filter((r) => r.path === '/api/products/')).toHaveLength(3);
    });

    it('never sends its token to another host: absolute, protocol-relative and slash-stuffed links', async () => {
      for (let i = 0; i < 3; i++) fake.addProduct(`H-${i}`, { title: `Hostile ${i}` });
      // Another server on loopback stands for the attacker's host; it records what reaches it.
      const stolen: (string | undefined)[] = [];
      const elsewhere = createHttpServer((req, res) => {
        stolen.push(req.headers.authorization);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"count":0,"next":null,"results":[]}');
      });
      await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
      const evil = `127.0.0.1:${(elsewhere.address() as { port: number }).port}`;
      try {
        const dbu = client();
        const read = async (url: string) => {
          const items: string[] = [];
          for await (const page of dbu.changedProducts(url)) items.push(...page.map((p) => p.item_no));
          return items;
        };
        // Event URLs: protocol-relative, and DBU's own origin with the other host stuffed into the path.
        expect(await read(`//${evil}/api/products/?search=hostile`)).toHaveLength(3);
        // (DBU answers 404 to the path it gets: /127.0.0.1:port/api/products/.)
        await expect(read(`${fake.url}///${evil}/api/products/?search=hostile`)).rejects.toThrow('HTTP 404');
        // next links of each kind.
        for (const next of [
          (n: string) => n.replace(fake.url, `http://${evil}`),
          (n: string) => n.replace(fake.url, `//${evil}`),
          (n: string) => n.replace(fake.url, `${fake.url}//${evil}`),
          (n: string) => n.replace(fake.url, `${fake.url}/\\${evil}`),
        ]) {
          fake.rewriteNext = next;
          await read('/api/products/?search=hostile&page_size=2').catch(() => undefined);
        }
        expect(stolen).toEqual([]);
      } finally {
        fake.rewriteNext = undefined;
        await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
      }
    });

    it('maps DBU products to item details (names, exact decimals, first photo)', async () => {
      const product = await client().getProduct('A-1');
      expect(product).toEqual({
        item_no: 'A-1',
        title: 'Millennium Falcon',
        ean: null,
        manufacturer: 'Hasbro',
        license: 'Star Wars',
        category: 'Vehicles',
        release_date: '2025-03-01',
        rrp: '149.99',
        image_url: 'http://img/a1.jpg',
        // The fake's product carries no stored photos, so no served photo URLs.
        photo_urls: [],
        gpsr_complete: true,
        updated_at: '2025-01-02T03:04:05Z',
      });
    });

    it('answers null for an unknown product and returns search hits with the count', async () => {
      const dbu = client();
      expect(await dbu.getProduct('NOPE')).toBeNull();
      const hits = await dbu.search('falcon');
      expect(hits.count).toBe(1);
      expect(hits.results[0]?.item_no).toBe('A-1');
    });
  });
});
