import { type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { type Server } from 'node:http';
import {
  SERVER_NAMES as NAMES,
  closeStandIns,
  renderEdge,
  requestHttps,
  startNginx,
  startStandIn,
  stopProcess,
  waitForNginx,
  type RenderedEdge,
} from './support/nginx';
import { describeWithTools } from './support/tools';

/**
 * Path variants at the edge (issue 14, item 3): no spelling of an admin path — another case, `//`,
 * `%2F`, a trailing dot, `;` parameters, `./` and `..;/` — reaches an app from an address outside the
 * admin allowlist, and no spelling of a token endpoint escapes its strict rate zone. Real nginx with
 * our configuration, recording upstreams on loopback.
 */
describeWithTools(['nginx', 'openssl'], 'nginx path variants (infrastructure-stack/nginx)', () => {
  let rendered: RenderedEdge;
  let nginx: ChildProcess | undefined;
  const upstreams: Server[] = [];
  const hits: { app: string; url: string }[] = [];

  async function startUpstream(app: string): Promise<number> {
    const { server, port } = await startStandIn((req, res) => {
      hits.push({ app, url: req.url ?? '' });
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    upstreams.push(server);
    return port;
  }

  /** The status nginx answers `host` with, from the client address `localAddress`. */
  const https = async (host: string, urlPath: string, localAddress: string, method = 'GET'): Promise<number> =>
    (await requestHttps(rendered.tls, host, urlPath, { method, localAddress })).status;

  beforeAll(async () => {
    const [dbuPort, imPort] = [await startUpstream('dbu'), await startUpstream('im')];
    rendered = await renderEdge({ is: 'is-web:8000', dbu: `127.0.0.1:${dbuPort}`, im: `127.0.0.1:${imPort}` });
    nginx = startNginx(rendered);
    await waitForNginx(nginx, async () => (await https(NAMES.dbu, '/health/', '127.0.0.1')) === 200, 'nginx to listen');
  });

  afterAll(async () => {
    await stopProcess(nginx);
    await closeStandIns(upstreams);
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
