import { type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startDnsFake, type DnsFake } from '../../test/fakes/dns-fake';
import { type AddressInfo } from 'node:net';
import { createServer as createTlsServer, type SecureVersion } from 'node:tls';
import path from 'node:path';
import {
  ADMIN_LOOPBACK,
  SERVER_NAMES as NAMES,
  closeStandIns,
  clientsPerTest,
  nginxTest,
  renderEdge,
  requestHttp,
  requestHttps,
  startNginx,
  startStandIn,
  stopProcess,
  tlsHandshake,
  waitForNginx,
  type NginxReply,
  type NginxRequest,
  type RenderedEdge,
} from './support/nginx';
import { INFRA_DIR, describeWithTools, run, waitFor } from './support/tools';

/** A JSON body of ~40 KB, as a page of products is. */
const BIG_JSON = JSON.stringify({
  results: Array.from({ length: 400 }, (_, i) => ({ item_no: `A-${i}`, title: 'Statue' })),
});
const OWN_CSP = "default-src 'none'; style-src 'sha256-abc'";

interface UpstreamHit {
  app: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

describeWithTools(['nginx', 'openssl'], 'nginx (infrastructure-stack/nginx)', () => {
  let rendered: RenderedEdge;
  let nginx: ChildProcess | undefined;
  const upstreams: Server[] = [];
  const hits: UpstreamHit[] = [];
  /** TCP connections each stand-in app has accepted from nginx. */
  const connections: Record<string, number> = {};
  let dns: DnsFake;

  async function startUpstream(app: string): Promise<number> {
    connections[app] = 0;
    const { server, port } = await startStandIn((req, res) => {
      hits.push({ app, method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => {
        if (req.url === '/api/big/') return res.writeHead(200, { 'content-type': 'application/json' }).end(BIG_JSON);
        if (req.url === '/api/own-csp/')
          return res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': OWN_CSP }).end('<p>');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ app, url: req.url }));
      });
    });
    // Listening, but nginx is not started yet: no connection goes uncounted.
    server.on('connection', () => (connections[app] += 1));
    upstreams.push(server);
    return port;
  }

  // nginx rate-limits per client address: no test inherits another's budget.
  const clients = clientsPerTest();

  /** A request from the test's admin address unless `options.localAddress` says otherwise. */
  const https = (host: string, urlPath: string, options: NginxRequest = {}): Promise<NginxReply> =>
    requestHttps(rendered.tls, host, urlPath, { ...options, localAddress: options.localAddress ?? clients().admin });
  const http = (urlPath: string, host: string = NAMES.dbu): Promise<NginxReply> =>
    requestHttp(rendered.ports.http, urlPath, host);
  const handshake = (servername: string, version: SecureVersion, port = rendered.ports.https): Promise<string> =>
    tlsHandshake({ ...rendered.tls, port }, servername, version);

  beforeAll(async () => {
    const [dbuPort, imPort] = [await startUpstream('dbu'), await startUpstream('im')];
    // Docker's DNS stand-in: the apps' container names resolve, is-web does not (a stopped app).
    dns = await startDnsFake({ 'dbu-web': '127.0.0.1', 'im-web': '127.0.0.1' });
    rendered = await renderEdge(
      // is-web keeps its Docker host name: it cannot resolve here, exactly like a stopped app.
      { is: 'is-web:8000', dbu: `dbu-web:${dbuPort}`, im: `im-web:${imPort}` },
      { resolver: dns.address, allowlists: { admin: ADMIN_LOOPBACK, internal: '', nodeEnv: 'development' } },
    );
    mkdirSync(path.join(rendered.acmeRoot, '.well-known/acme-challenge'), { recursive: true });
    writeFileSync(path.join(rendered.acmeRoot, '.well-known/acme-challenge/token-123'), 'token-123.thumbprint');
  });

  afterAll(async () => {
    await stopProcess(nginx);
    await closeStandIns(upstreams);
    await dns?.close();
    if (rendered) rmSync(rendered.dir, { recursive: true, force: true });
  });

  it('passes nginx -t with our configuration (templates rendered as the image does)', () => {
    const result = nginxTest(rendered);
    expect(result.stderr).toContain('test is successful');
    expect(result.status).toBe(0);
  });

  describe('running on loopback', () => {
    beforeAll(async () => {
      nginx = startNginx(rendered);
      await waitForNginx(
        nginx,
        async () => (await http('/.well-known/acme-challenge/token-123')).status === 200,
        'nginx to listen',
      );
      // The upstream names are resolved after start-up, through the resolver.
      await waitFor(
        async () => ((await https(NAMES.dbu, '/health/')).status === 200 ? true : undefined),
        10_000,
        'dbu-web resolved',
      );
      await waitFor(
        async () => ((await https(NAMES.im, '/health/')).status === 200 ? true : undefined),
        10_000,
        'im-web resolved',
      );
    });

    it('refuses TLS 1.1 and TLS 1.0 (the server sends an alert), accepts 1.2 and 1.3', async () => {
      // Control: this client really speaks TLS 1.1/1.0 when a server allows it.
      const legacy = createTlsServer({
        key: readFileSync(rendered.keyFile),
        cert: readFileSync(rendered.certFile),
        minVersion: 'TLSv1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      await new Promise<void>((resolve) => legacy.listen(0, '127.0.0.1', resolve));
      const legacyPort = (legacy.address() as AddressInfo).port;
      try {
        expect(await handshake(NAMES.dbu, 'TLSv1.1', legacyPort)).toBe('ok:TLSv1.1');
      } finally {
        legacy.close();
      }
      // An alert is the server's answer, not a client-side refusal.
      expect(await handshake(NAMES.dbu, 'TLSv1.1')).toMatch(/^error:ERR_SSL_.*ALERT/);
      expect(await handshake(NAMES.dbu, 'TLSv1')).toMatch(/^error:ERR_SSL_.*ALERT/);
      expect(await handshake(NAMES.dbu, 'TLSv1.2')).toBe('ok:TLSv1.2');
      expect(await handshake(NAMES.dbu, 'TLSv1.3')).toBe('ok:TLSv1.3');
    });

    it('rejects the handshake for an unknown server name', async () => {
      expect(await handshake('unknown.pjs.test', 'TLSv1.3')).toMatch(/^error:/);
    });

    it('proxies the API with HSTS and security headers and no version in Server', async () => {
      const reply = await https(NAMES.dbu, '/api/products/?page=1');
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({ app: 'dbu', url: '/api/products/?page=1' });
      expect(reply.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(reply.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(reply.headers.server).toBe('nginx');
    });

    it('sends the real client address and a request id upstream, ignoring a spoofed X-Forwarded-For', async () => {
      hits.length = 0;
      await https(NAMES.im, '/api/receive/', { method: 'POST', headers: { 'x-forwarded-for': '6.6.6.6' } });
      const hit = hits.find((h) => h.url === '/api/receive/');
      expect(hit?.app).toBe('im');
      expect(hit?.headers['x-forwarded-for']).toBe(clients().admin);
      expect(hit?.headers['x-forwarded-proto']).toBe('https');
      expect(hit?.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    });

    it.each([
      [NAMES.dbu, '/metrics'],
      [NAMES.dbu, '/metrics/'],
      [NAMES.im, '/metrics/'],
      [NAMES.status, '/metrics'],
    ])('never serves %s%s publicly (403, upstream not called)', async (host, urlPath) => {
      hits.length = 0;
      const reply = await https(host, urlPath);
      expect(reply.status).toBe(403);
      expect(reply.headers['strict-transport-security']).toBeDefined();
      expect(hits).toHaveLength(0);
    });

    it.each([
      [NAMES.dbu, '/api/imports/'],
      [NAMES.im, '/api/inventory/'],
      [NAMES.im, '/api/reduce-stock/'],
      [NAMES.im, '/analysis/'],
      [NAMES.im, '/api/orders/'],
      [NAMES.im, '/api/sync/status/'],
    ])('allows the admin path %s%s from an admin address and answers 403 to others', async (host, urlPath) => {
      expect((await https(host, urlPath)).status).toBe(200);
      hits.length = 0;
      expect((await https(host, urlPath, { localAddress: clients().foreign })).status).toBe(403);
      expect(hits).toHaveLength(0);
    });

    it.each([
      [NAMES.dbu, '/API/imports/'],
      [NAMES.dbu, '/Api/Imports/'],
      [NAMES.dbu, '/api/IMPORTS/'],
      [NAMES.dbu, '//api/imports/'],
      [NAMES.dbu, '/api%2Fimports/'],
      [NAMES.dbu, '/api/%69mports/'],
      [NAMES.dbu, '/api/imports./'],
      [NAMES.dbu, '/api/imports;x=1'],
      [NAMES.dbu, '/api/./imports/'],
      [NAMES.dbu, '/api/docs/'],
      [NAMES.dbu, '/api/gpsr/'],
      [NAMES.im, '/API/inventory/'],
      [NAMES.im, '/api/Reduce-Stock/'],
      [NAMES.im, '//api/reduce-stock'],
      [NAMES.im, '/api/reduce-stock;a=b'],
      [NAMES.im, '/Analysis/'],
      [NAMES.im, '/api/items/A-1/movements/'],
    ])('never lets %s%s reach the app from a foreign address', async (host, urlPath) => {
      hits.length = 0;
      const reply = await https(host, urlPath, { localAddress: clients().foreign });
      expect([403, 404]).toContain(reply.status);
      expect(hits).toHaveLength(0);
    });

    it.each([
      [NAMES.dbu, '/API/products/'],
      [NAMES.dbu, '/Api-Token-Auth/'],
      [NAMES.im, '/API/token/'],
      [NAMES.im, '/nothing-here'],
    ])('answers a path of no route (%s%s) with a JSON 404 at the edge', async (host, urlPath) => {
      hits.length = 0;
      const reply = await https(host, urlPath);
      expect(reply.status).toBe(404);
      expect(JSON.parse(reply.body)).toMatchObject({ statusCode: 404, code: 'not_found' });
      expect(hits).toHaveLength(0);
    });

    it('serves the public API to any address', async () => {
      expect((await https(NAMES.im, '/api/receive/', { localAddress: clients().foreign })).status).toBe(200);
    });

    it.each([
      [NAMES.dbu, '/api-token-auth/'],
      [NAMES.im, '/api/token/'],
    ])('answers 429 past the burst on the token endpoint %s%s', async (host, urlPath) => {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1)
        statuses.push((await https(host, urlPath, { method: 'POST', localAddress: clients().foreign })).status);
      // rate 6r/m with burst 5: the first request and five more pass, the rest are refused.
      expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
      // Another client is not affected.
      expect((await https(host, urlPath, { method: 'POST', localAddress: clients().bystander })).status).toBe(200);
    });

    it('serves ACME challenges on port 80 and redirects everything else to HTTPS', async () => {
      const challenge = await http('/.well-known/acme-challenge/token-123');
      expect(challenge.status).toBe(200);
      expect(challenge.body).toBe('token-123.thumbprint');
      expect((await http('/.well-known/acme-challenge/missing')).status).toBe(404);
      const redirect = await http('/api/products/?x=1');
      expect(redirect.status).toBe(301);
      expect(redirect.headers.location).toBe(`https://${NAMES.dbu}/api/products/?x=1`);
    });

    it('keeps serving other apps when one upstream cannot be resolved (502 for that one only)', async () => {
      const down = await https(NAMES.status, '/status');
      expect(down.status).toBe(502);
      expect((await https(NAMES.dbu, '/health/')).status).toBe(200);
    });

    it('serves stub_status to loopback on the status port', async () => {
      const reply = await requestHttp(rendered.ports.status, '/stub_status');
      expect(reply.status).toBe(200);
      expect(reply.body).toMatch(/Active connections: \d+/);
    });

    it('resolves the upstream names at run time through the resolver (Docker DNS in production)', () => {
      expect(dns.queries).toEqual(expect.arrayContaining(['dbu-web', 'im-web', 'is-web']));
    });

    it('reuses upstream connections (keepalive): 20 client connections, at most 2 to the app', async () => {
      const before = connections.dbu;
      // 20 stays inside the api zone's burst however fast the machine is: the first request and 20 more.
      for (let i = 0; i < 20; i += 1) expect((await https(NAMES.dbu, '/api/products/')).status).toBe(200);
      expect(connections.dbu - before).toBeLessThanOrEqual(2);
      const hit = hits.filter((h) => h.url === '/api/products/').at(-1);
      expect(hit?.headers.connection).toBeUndefined();
    });

    it('compresses JSON for clients that accept gzip, and only for them', async () => {
      const zipped = await https(NAMES.dbu, '/api/big/', { headers: { 'accept-encoding': 'gzip' } });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toContain('Accept-Encoding');
      expect(zipped.raw.length).toBeLessThan(BIG_JSON.length / 4);
      expect(gunzipSync(zipped.raw).toString()).toBe(BIG_JSON);
      const plain = await https(NAMES.dbu, '/api/big/');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body).toBe(BIG_JSON);
    });

    it('keeps a well-formed X-Request-Id, passes it upstream and returns it; replaces a malformed one', async () => {
      hits.length = 0;
      const idsSeenUpstream = () => hits.map((hit) => hit.headers['x-request-id']);
      const kept = await https(NAMES.dbu, '/api/products/', { headers: { 'x-request-id': 'caller-id.42:abc' } });
      expect(kept.headers['x-request-id']).toBe('caller-id.42:abc');
      expect(idsSeenUpstream()).toContain('caller-id.42:abc');
      for (const bad of ['has space', 'x'.repeat(129), 'quote"d', '']) {
        const replaced = await https(NAMES.dbu, '/api/products/', { headers: { 'x-request-id': bad } });
        expect(replaced.status).toBe(200);
        expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
        expect(idsSeenUpstream()).toContain(replaced.headers['x-request-id']);
        if (bad !== '') expect(idsSeenUpstream()).not.toContain(bad);
      }
    });

    it.each([
      ['403 (allowlist)', NAMES.dbu, '/api/imports/', 'foreign', 403, 'address_not_allowed'],
      ['403 (/metrics)', NAMES.dbu, '/metrics', 'admin', 403, 'address_not_allowed'],
      ['404 (no route)', NAMES.im, '/nothing-here', 'admin', 404, 'not_found'],
      ['502 (app down)', NAMES.status, '/status', 'admin', 502, 'bad_gateway'],
    ] as const)('answers its own %s in JSON with the request id', async (_name, host, urlPath, from, status, code) => {
      const reply = await https(host, urlPath, {
        localAddress: clients()[from],
        headers: { 'x-request-id': 'edge-error-1' },
      });
      expect(reply.status).toBe(status);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(JSON.parse(reply.body)).toEqual({
        statusCode: status,
        code,
        message: expect.any(String),
        request_id: 'edge-error-1',
      });
      expect(reply.headers['x-request-id']).toBe('edge-error-1');
      expect(reply.headers['strict-transport-security']).toBeDefined();
    });

    it('answers a body above client_max_body_size with a JSON 413 before the app sees it', async () => {
      hits.length = 0;
      const reply = await https(NAMES.dbu, '/api/products/', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(11 * 1024 * 1024) },
        body: '{',
      }).catch((err: Error) => ({ status: 0, body: err.message, headers: {}, raw: Buffer.alloc(0) }));
      expect(reply.status).toBe(413);
      expect(JSON.parse(reply.body)).toMatchObject({
        statusCode: 413,
        code: 'payload_too_large',
        request_id: expect.any(String),
      });
      expect(hits).toHaveLength(0);
    });

    it('keeps the CSP of an app that sends its own, and adds the edge one otherwise', async () => {
      const own = await https(NAMES.dbu, '/api/own-csp/');
      expect(own.headers['content-security-policy']).toBe(OWN_CSP);
      const edge = await https(NAMES.dbu, '/api/products/');
      expect(edge.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    });

    it.each([
      [NAMES.dbu, '/api/admin/users/'],
      [NAMES.dbu, '/API/Admin/tokens'],
      [NAMES.im, '/api/admin/audit/'],
      [NAMES.dbu, '/admin/login/'],
      [NAMES.im, '/Admin/Login'],
    ])('keeps account administration and logins (%s%s) to admin addresses', async (host, urlPath) => {
      hits.length = 0;
      expect((await https(host, urlPath, { localAddress: clients().foreign })).status).toBe(403);
      expect(hits).toHaveLength(0);
    });

    it("rate-limits people's logins (/admin/login) like the token endpoints", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1) statuses.push((await https(NAMES.im, '/admin/login', { method: 'POST' })).status);
      expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(statuses.slice(6)).toEqual([429, 429]);
      const refused = await https(NAMES.im, '/admin/login', { method: 'POST' });
      expect(JSON.parse(refused.body)).toMatchObject({ statusCode: 429, code: 'rate_limited' });
      expect(refused.headers['retry-after']).toBe('10');
    });

    it("writes one JSON object per request to the access log, in the apps' schema", async () => {
      await https(NAMES.dbu, '/api/categories/?page=2', { headers: { 'x-request-id': 'log-schema-1' } });
      const lines = await waitFor(
        async () => {
          const text = readFileSync(rendered.accessLog, 'utf8').trim();
          return text.includes('log-schema-1') ? text.split('\n') : undefined;
        },
        5000,
        'the access log line',
      );
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const entry = entries.find((e) => e.request_id === 'log-schema-1');
      expect(entry).toMatchObject({
        level: 'info',
        service: 'nginx',
        msg: 'request',
        method: 'GET',
        path: '/api/categories/',
        query: 'page=2',
        status: 200,
        client_ip: clients().admin,
        host: NAMES.dbu,
      });
      expect(typeof entry?.duration_ms).toBe('number');
      expect(Number.isInteger(entry?.duration_ms)).toBe(true);
      expect(new Date(String(entry?.timestamp)).getTime()).not.toBeNaN();
      expect(entry?.tls).toMatch(/^TLSv1\.[23]$/);
      const failed = entries.find((e) => e.status === 502);
      expect(failed?.level).toBe('error');
    });
  });
});

describeWithTools(['sh'], 'nginx allowlists rendered from ADMIN_ALLOWED_IPS / INTERNAL_ALLOWED_IPS', () => {
  const script = path.join(INFRA_DIR, 'nginx/entrypoint/15-pjs-allowlists.sh');

  function render(env: Record<string, string>): {
    status: number | null;
    admin: string;
    internal: string;
    stderr: string;
  } {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'pjs-allow-')), 'allowlists');
    try {
      const result = run('sh', [script], { env: { PATH: process.env.PATH, PJS_ALLOWLIST_DIR: dir, ...env } });
      const read = (f: string) => {
        try {
          return readFileSync(path.join(dir, f), 'utf8').replace(/^#.*\n/gm, '');
        } catch {
          return '';
        }
      };
      return {
        status: result.status,
        admin: read('admin.conf'),
        internal: read('internal.conf'),
        stderr: result.stderr,
      };
    } finally {
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  }

  it('denies everyone on empty lists in production (the default), as the apps do', () => {
    const out = render({});
    expect(out.status).toBe(0);
    expect(out.admin).toBe('deny all;\n');
    expect(out.internal).toBe('deny all;\n');
  });

  it('allows everyone on empty lists outside production', () => {
    const out = render({ PJS_NODE_ENV: 'development' });
    expect(out.admin).toBe('allow all;\n');
  });

  it('allows exactly the listed addresses, then denies', () => {
    const out = render({
      PJS_ADMIN_ALLOWED_IPS: '10.8.0.0/24, 127.0.0.1,::1',
      PJS_INTERNAL_ALLOWED_IPS: '0.0.0.0/0,::/0',
    });
    expect(out.admin).toBe('allow 10.8.0.0/24;\nallow 127.0.0.1;\nallow ::1;\ndeny all;\n');
    expect(out.internal).toBe('allow 0.0.0.0/0;\nallow ::/0;\ndeny all;\n');
  });

  it.each(['10.0.0.0/8;allow all', 'example.com', '1.2.3.4 5.6.7.8}'])(
    'refuses to start on a malformed entry (%s)',
    (bad) => {
      const out = render({ PJS_ADMIN_ALLOWED_IPS: bad });
      expect(out.status).not.toBe(0);
      expect(out.stderr).toContain('is not an IP address or CIDR');
    },
  );
});
