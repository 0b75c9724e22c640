import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, type RequestInit, type Response } from 'undici';
import { isPublicAddress } from './address-policy';

/** The fixed reasons of a refusal, safe to record and show (they name no host of a response). */
export type EgressReason =
  | 'not an http(s) URL'
  | 'credentials in the URL'
  | 'not a public address'
  | 'too many redirects'
  | 'a redirect to something that is not a URL';

/**
 * Why an outbound request was not made. `message` may name the host (for logs; a redirect's host
 * came from the response); `reason` is one of a few fixed texts, for what is stored or shown.
 */
export class EgressRefused extends Error {
  constructor(
    message: string,
    readonly reason: EgressReason = 'not a public address',
  ) {
    super(message);
    this.name = 'EgressRefused';
  }
}

type Lookup = (
  hostname: string,
  options: { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export interface SafeFetchOptions {
  /**
   * Host names or addresses allowed although they are not public (`OUTBOUND_ALLOWED_HOSTS`), on
   * any port: for tests whose fakes listen on loopback, and nothing else. Empty by default.
   */
  allowedHosts?: readonly string[];
  /** Redirects followed at most (each target is checked like the first URL). Default 3. */
  maxRedirects?: number;
  /** The resolver (tests give a scripted one); Node's by default. */
  resolve?: Lookup;
}

export type SafeFetchResponse = Response;
export type SafeFetch = (
  url: string | URL,
  init?: Omit<RequestInit, 'redirect' | 'dispatcher'>,
) => Promise<SafeFetchResponse>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * fetch for URLs that come from outside (photo URLs of an import, a wholesaler's feed): only http(s),
 * only public addresses — the host is resolved once, every address must be public, and the
 * connection goes to the very address that was checked (no rebinding between check and connect) —
 * redirects followed by hand and each target checked again, at most `maxRedirects`.
 */
export function createSafeFetch(options: SafeFetchOptions = {}): SafeFetch {
  const allowed = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase().replace(/^\[|\]$/g, '')));
  const maxRedirects = options.maxRedirects ?? 3;
  const resolve: Lookup = options.resolve ?? ((host, opts, cb) => dnsLookup(host, opts, cb));

  // Called by net.connect for host names (IP literals are checked before the request is made).
  const guardedLookup = (
    hostname: string,
    lookupOptions: { all?: boolean; family?: number },
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolve(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const wanted = addresses.filter((a) => !lookupOptions.family || a.family === lookupOptions.family);
      const refuse =
        !allowed.has(hostname.toLowerCase()) &&
        (wanted.length === 0 || wanted.some((a) => !isPublicAddress(a.address)));
      if (refuse) {
        const error: NodeJS.ErrnoException = new EgressRefused(`${hostname} resolves to an address that is not public`);
        error.code = 'EGRESS_REFUSED';
        return callback(error, []);
      }
      if (lookupOptions.all) return callback(null, wanted);
      callback(null, wanted[0].address, wanted[0].family);
    });
  };
  const agent = new Agent({ connect: { lookup: guardedLookup as never } });

  const check = (url: URL): void => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new EgressRefused('not an http(s) URL', 'not an http(s) URL');
    if (url.username || url.password)
      throw new EgressRefused('URLs with credentials are not fetched', 'credentials in the URL');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !isPublicAddress(host) && !allowed.has(host.toLowerCase())) {
      throw new EgressRefused(`${host} is not a public address`);
    }
  };

  return async (input, init = {}) => {
    let url = new URL(input);
    for (let hop = 0; ; hop++) {
      check(url);
      let res: Response;
      try {
        // Node's own fetch (undici 7 too) with our guarded Agent as its dispatcher, not the undici
        // package's fetch: that one's first requests in a fresh process took 100-250 ms more (cold
        // code, parser compile, body stream), enough to time out the first photo downloads of a pass.
        res = (await globalThis.fetch(url, {
          ...init,
          redirect: 'manual',
          dispatcher: agent,
        } as globalThis.RequestInit)) as unknown as Response;
      } catch (err) {
        throw unwrap(err);
      }
      const location = res.headers.get('location');
      if (!REDIRECTS.has(res.status) || !location) return res;
      await res.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) throw new EgressRefused(`more than ${maxRedirects} redirects`, 'too many redirects');
      try {
        url = new URL(location, url);
      } catch {
        throw new EgressRefused(
          'a redirect to something that is not a URL',
          'a redirect to something that is not a URL',
        );
      }
    }
  };
}

/** fetch wraps connection errors in a TypeError; our refusal is the cause worth telling. */
function unwrap(err: unknown): unknown {
  let current: unknown = err;
  for (let i = 0; i < 5 && current; i++) {
    if (current instanceof EgressRefused) return current;
    if ((current as NodeJS.ErrnoException).code === 'EGRESS_REFUSED') {
      return new EgressRefused((current as Error).message);
    }
    // Node's fetch replaces an error that is not its realm's Error (ours, under Jest's VM) by
    // `new Error(String(err))`: our refusal then survives only as its message.
    const text = (current as Error).message;
    if (typeof text === 'string' && text.startsWith('EgressRefused: ')) {
      return new EgressRefused(text.slice('EgressRefused: '.length));
    }
    current = (current as { cause?: unknown }).cause;
  }
  return err;
}
