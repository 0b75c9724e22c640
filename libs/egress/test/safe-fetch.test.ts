import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressRefused, createSafeFetch, isPublicAddress } from '@pjs/egress';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '64:ff9b::a00:1',
    '2002:a00:1::',
    'ff02::1',
    'not-an-ip',
  ])('refuses %s', (ip) => expect(isPublicAddress(ip)).toBe(false));

  it.each(['93.184.216.34', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (ip) =>
    expect(isPublicAddress(ip)).toBe(true),
  );
});

describe('createSafeFetch', () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/hop') return void res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
      if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('internal secret');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    hits.length = 0;
  });

  it('refuses loopback by literal address and by name, without connecting', async () => {
    const safeFetch = createSafeFetch();
    await expect(safeFetch(`http://127.0.0.1:${port}/x`)).rejects.toBeInstanceOf(EgressRefused);
    await expect(safeFetch(`http://localhost:${port}/x`)).rejects.toBeInstanceOf(EgressRefused);
    await expect(safeFetch(`http://[::1]:${port}/x`)).rejects.toBeInstanceOf(EgressRefused);
    await expect(safeFetch(`http://2130706433:${port}/x`)).rejects.toBeInstanceOf(EgressRefused);
    expect(hits).toEqual([]);
  });

  it('refuses other schemes and URLs with credentials', async () => {
    const safeFetch = createSafeFetch({ allowedHosts: ['127.0.0.1'] });
    await expect(safeFetch('file:///etc/passwd')).rejects.toThrow('not an http(s) URL');
    await expect(safeFetch(`http://user:pw@127.0.0.1:${port}/`)).rejects.toBeInstanceOf(EgressRefused);
  });

  it('fetches an explicitly allowed host (test fakes), and checks every redirect target again', async () => {
    const safeFetch = createSafeFetch({ allowedHosts: ['localhost'] });
    const ok = await safeFetch(`http://localhost:${port}/ok`);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    // localhost is allowed, the redirect's 127.0.0.1 literal is not.
    await expect(safeFetch(`http://localhost:${port}/hop`)).rejects.toThrow(/127\.0\.0\.1 is not a public address/);
    expect(hits).toEqual(['/ok', '/hop']);
  });

  it('caps redirects', async () => {
    const safeFetch = createSafeFetch({ allowedHosts: ['127.0.0.1'], maxRedirects: 2 });
    await expect(safeFetch(`http://127.0.0.1:${port}/loop`)).rejects.toThrow('more than 2 redirects');
    expect(hits).toEqual(['/loop', '/loop', '/loop']);
  });

  it('refuses a name with any non-public address, and connects to the very address it checked', async () => {
    const mixed = createSafeFetch({
      resolve: (_host, _opts, cb) =>
        cb(null, [
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ]),
    });
    await expect(mixed(`http://photos.example.test:${port}/x`)).rejects.toBeInstanceOf(EgressRefused);
    let calls = 0;
    // A resolver that would answer public first and loopback second (a rebinding attempt): we ask once.
    const rebinding = createSafeFetch({
      resolve: (_host, _opts, cb) => {
        calls += 1;
        cb(null, [{ address: calls === 1 ? '127.0.0.1' : '93.184.216.34', family: 4 }]);
      },
    });
    await expect(rebinding(`http://rebind.example.test:${port}/x`)).rejects.toBeInstanceOf(EgressRefused);
    expect(calls).toBe(1);
    expect(hits).toEqual([]);
  });
});
