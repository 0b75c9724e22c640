import { type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { renderNginx, startNginx, stopProcess, type RenderedNginx } from './support/nginx';
import { describeWithTools, freePort, waitFor } from './support/tools';

const NAMES = { status: 'status.pjs.test', dbu: 'dbu.pjs.test', im: 'im.pjs.test' };

/**
 * Path variants at the edge (issue 14, item 3): no spelling of an admin path — another case, `//`,
 * `%2F`, a trailing dot, `;` parameters, `./` and `..;/` — reaches an app from an address outside the
 * admin allowlist, and no spelling of a token endpoint escapes its strict rate zone. Real nginx with
 * our configuration, recording upstreams on loopback.
 */
describeWithTools(['nginx', 'openssl'], 'nginx path variants (infrastructure-stack/nginx)', () => {
  let rendered: RenderedNginx;
  let nginx: ChildProcess | undefined;
  let httpsPort: number;
  const upstreams: Server[] = [];
  const hits: { app: string; url: string }[] = [];
  let ca: string;

  async function startUpstream(app: string): Promise<number> {
    const server = createServer((req, res) => {
      hits.push({ app, url: req.url ?? '' });
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    upstreams.push(server);
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  function https(host: string, urlPath: string, localAddress: string, method = 'GET'): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: httpsPort,
          servername: host,
          path: urlPath,
          method,
          headers: { host },
          localAddress,
          ca,
          agent: false,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    const [dbuPort, imPort] = [await startUpstream('dbu'), await startUpstream('im')];
    httpsPort = await freePort();
    rendered = renderNginx(
      {
        PJS_HTTP_PORT: String(await freePort()),
        PJS_HTTPS_PORT: String(httpsPort),
        PJS_STATUS_PORT: String(await freePort()),
        PJS_SERVER_NAME_STATUS: NAMES.status,
        PJS_SERVER_NAME_DBU: NAMES.dbu,
        PJS_SERVER_NAME_IM: NAMES.im,
        PJS_UPSTREAM_IS: 'is-web:8000',
        PJS_UPSTREAM_DBU: `127.0.0.1:${dbuPort}`,
        PJS_UPSTREAM_IM: `127.0.0.1:${imPort}`,
      },
      Object.values(NAMES),
    );
    ca = readFileSync(rendered.certFile, 'utf8');
    nginx = startNginx(rendered);
    let stderr = '';
    nginx.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(
      async () => {
        if (nginx?.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
        return (await https(NAMES.dbu, '/health/', '127.0.0.1').catch(() => 0)) === 200 ? true : undefined;
      },
      10_000,
      'nginx to listen',
    );
  });

  afterAll(async () => {
    await stopProcess(nginx);
    await Promise.all(upstreams.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    if (rendered) rmSync(rendered.dir, { recursive: true, force: true });
  });

  /** Spellings of one admin path that a router or a careless comparison might take for it. */
  const variants = (path: string): string[] => {
    const [, first, rest] = /^\/([^/]+)\/(.*)$/.exec(path)!;
    return [
      path,
      path.toUpperCase(),
      `/${first}/${rest.charAt(0).toUpperCase()}${rest.slice(1)}`,
      `/${path}`,
      `/${first}//${rest}`,
      `/${first}%2F${rest}`,
      `/${first}%2f${rest}`,
      `/${first}/./${rest}`,
      `/${first}/x/../${rest}`,
      `/${first}/${rest.replace(/\/$/, '')}.`,
      `/${first}/${rest.replace(/\/$/, '')};x=1`,
      `/${first};x=1/${rest}`,
      `/${first}/${rest.replace(/\/$/, '')}%3B/`,
      `/%${first.charCodeAt(0).toString(16)}${first.slice(1)}/${rest}`,
    ];
  };

  it.each([
    [NAMES.dbu, '/api/imports/', '127.0.1.1'],
    [NAMES.dbu, '/api/import-profiles/', '127.0.1.2'],
    [NAMES.dbu, '/api/admin/users/', '127.0.1.3'],
    [NAMES.dbu, '/api/admin/tokens/', '127.0.1.4'],
    [NAMES.im, '/api/add-stock/', '127.0.1.5'],
    [NAMES.im, '/api/inventory/', '127.0.1.6'],
    [NAMES.im, '/api/admin/users/', '127.0.1.7'],
    [NAMES.im, '/api/admin/audit/', '127.0.1.8'],
  ])('no spelling of %s%s reaches the app from outside the admin allowlist (%s)', async (host, path, foreign) => {
    const reached: string[] = [];
    for (const variant of variants(path)) {
      hits.length = 0;
      const status = await https(host, variant, foreign);
      // 403 (allowlist), 404 (no route at the edge), 400 (not a valid path), 429 (rate zone): all at nginx.
      if (hits.length > 0 || ![400, 403, 404, 429].includes(status)) reached.push(`${variant} → ${status}`);
    }
    expect(reached).toEqual([]);
    // The allowlisted address does reach the real route (control).
    hits.length = 0;
    expect(await https(host, path, '127.0.0.1')).toBe(200);
    expect(hits).toHaveLength(1);
  });

  it.each([
    [NAMES.im, '/api/token/', '127.0.0.6'],
    [NAMES.dbu, '/api-token-auth/', '127.0.0.7'],
  ])('every spelling of the token endpoint %s%s counts against its strict rate zone', async (host, path, address) => {
    const spellings = [
      path,
      path.toUpperCase(),
      `${path.replace(/\/$/, '')};x=1`,
      `/${path}`,
      path.replace(/\/$/, '.'),
    ];
    const reached: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      hits.length = 0;
      const status = await https(host, spellings[i % spellings.length], address, 'POST');
      reached.push(...hits.map((h) => h.url));
      expect([200, 404, 429]).toContain(status);
    }
    // Only the spellings nginx normalises to the real path (merged slashes) reach the app, through the
    // token zone (rate 6r/m, burst 5: at most 6 of the 12); the others end at the edge.
    expect(reached.map((u) => u.replace(/^\/+/, '/')).filter((u) => u !== path)).toEqual([]);
    expect(reached.length).toBeLessThanOrEqual(6);
  });
});
