import { type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type AddressInfo } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type SecureVersion } from 'node:tls';
import path from 'node:path';
import { nginxTest, renderNginx, startNginx, stopProcess, type RenderedNginx } from './support/nginx';
import { describeWithTools, freePort, waitFor } from './support/tools';

const NAMES = { status: 'status.pjs.test', dbu: 'dbu.pjs.test', im: 'im.pjs.test' };

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface UpstreamHit {
  app: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

describeWithTools(['nginx', 'openssl'], 'nginx (infrastructure-stack/nginx)', () => {
  let rendered: RenderedNginx;
  let nginx: ChildProcess | undefined;
  let ports: { http: number; https: number; status: number };
  const upstreams: Server[] = [];
  const hits: UpstreamHit[] = [];
  let ca: string;

  async function startUpstream(app: string): Promise<number> {
    const server = createServer((req, res) => {
      hits.push({ app, method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ app, url: req.url })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    upstreams.push(server);
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  function https(
    host: string,
    urlPath: string,
    options: { method?: string; localAddress?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: ports.https,
          servername: host,
          path: urlPath,
          method: options.method ?? 'GET',
          headers: { host, ...(options.headers ?? {}) },
          localAddress: options.localAddress,
          ca,
          agent: false,
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  function http(urlPath: string, host = NAMES.dbu): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: ports.http, path: urlPath, headers: { host }, agent: false },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  function handshake(servername: string, version: SecureVersion, port = ports.https): Promise<string> {
    return new Promise((resolve) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port,
        servername,
        ca,
        minVersion: version,
        maxVersion: version,
        // Let the client offer old protocols at all (OpenSSL 3 refuses TLS < 1.2 at level 1).
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.once('secureConnect', () => {
        const negotiated = socket.getProtocol() ?? 'unknown';
        socket.end();
        resolve(`ok:${negotiated}`);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(`error:${err.code ?? err.message}`));
    });
  }

  beforeAll(async () => {
    const [dbuPort, imPort] = [await startUpstream('dbu'), await startUpstream('im')];
    ports = { http: await freePort(), https: await freePort(), status: await freePort() };
    rendered = renderNginx(
      {
        PJS_HTTP_PORT: String(ports.http),
        PJS_HTTPS_PORT: String(ports.https),
        PJS_STATUS_PORT: String(ports.status),
        PJS_SERVER_NAME_STATUS: NAMES.status,
        PJS_SERVER_NAME_DBU: NAMES.dbu,
        PJS_SERVER_NAME_IM: NAMES.im,
        // is-web keeps its Docker host name: it cannot resolve here, exactly like a stopped app.
        PJS_UPSTREAM_IS: 'is-web:8000',
        PJS_UPSTREAM_DBU: `127.0.0.1:${dbuPort}`,
        PJS_UPSTREAM_IM: `127.0.0.1:${imPort}`,
      },
      Object.values(NAMES),
    );
    ca = readFileSync(rendered.certFile, 'utf8');
    mkdirSync(path.join(rendered.acmeRoot, '.well-known/acme-challenge'), { recursive: true });
    writeFileSync(path.join(rendered.acmeRoot, '.well-known/acme-challenge/token-123'), 'token-123.thumbprint');
  });

  afterAll(async () => {
    await stopProcess(nginx);
    await Promise.all(upstreams.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
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
      let stderr = '';
      nginx.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      await waitFor(
        async () => {
          if (nginx?.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
          return (await http('/.well-known/acme-challenge/token-123')).status === 200 ? true : undefined;
        },
        10_000,
        'nginx to listen',
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
      expect(hit?.headers['x-forwarded-for']).toBe('127.0.0.1');
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
    ])('allows the admin path %s%s from 127.0.0.1 and answers 403 to 127.0.0.2', async (host, urlPath) => {
      expect((await https(host, urlPath, { localAddress: '127.0.0.1' })).status).toBe(200);
      hits.length = 0;
      expect((await https(host, urlPath, { localAddress: '127.0.0.2' })).status).toBe(403);
      expect(hits).toHaveLength(0);
    });

    it('serves the public API to any address', async () => {
      expect((await https(NAMES.im, '/api/receive/', { localAddress: '127.0.0.2' })).status).toBe(200);
    });

    it.each([
      [NAMES.dbu, '/api-token-auth/', '127.0.0.3'],
      [NAMES.im, '/api/token/', '127.0.0.4'],
    ])('answers 429 past the burst on the token endpoint %s%s', async (host, urlPath, localAddress) => {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1)
        statuses.push((await https(host, urlPath, { method: 'POST', localAddress })).status);
      // rate 6r/m with burst 5: the first request and five more pass, the rest are refused.
      expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
      // Another client is not affected.
      expect((await https(host, urlPath, { method: 'POST', localAddress: '127.0.0.5' })).status).toBe(200);
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
      const reply = await new Promise<Reply>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port: ports.status, path: '/stub_status', agent: false }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        })
          .on('error', reject)
          .end();
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatch(/Active connections: \d+/);
    });

    it('writes one JSON object per request to the access log', async () => {
      await https(NAMES.dbu, '/api/categories/');
      const lines = await waitFor(
        async () => {
          const text = readFileSync(rendered.accessLog, 'utf8').trim();
          return text.includes('/api/categories/') ? text.split('\n') : undefined;
        },
        5000,
        'the access log line',
      );
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const entry = entries.find((e) => e.uri === '/api/categories/');
      expect(entry).toMatchObject({ service: 'nginx', level: 'info', method: 'GET', status: 200, host: NAMES.dbu });
      expect(entry?.tls).toMatch(/^TLSv1\.[23]$/);
      expect(entry?.request_id).toMatch(/^[0-9a-f]{32}$/);
    });
  });
});
