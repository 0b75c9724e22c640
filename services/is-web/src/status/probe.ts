import { connect } from 'node:net';
import type { StatusTarget } from './status-target';

export interface ProbeResult {
  up: boolean;
  status_code: number | null;
  latency_ms: number;
  detail: string;
}

/** Probes one target; never throws and never takes longer than the timeout. */
export async function probe(target: StatusTarget, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    if (target.kind === 'tcp') {
      await tcpConnect(target.url, timeoutMs);
      return { up: true, status_code: null, latency_ms: elapsed(), detail: 'connected' };
    }
    const { url, authorization } = splitCredentials(target.url);
    const res = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        accept: 'application/json',
        'user-agent': 'is-web status probe',
        ...(authorization ? { authorization } : {}),
      },
      redirect: 'manual',
    });
    await res.body?.cancel();
    const up = res.status >= 200 && res.status < 400;
    return { up, status_code: res.status, latency_ms: elapsed(), detail: up ? 'ok' : `HTTP ${res.status}` };
  } catch (err) {
    return { up: false, status_code: null, latency_ms: elapsed(), detail: describe(err, timeoutMs) };
  }
}

function tcpConnect(url: string, timeoutMs: number): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as {
    name?: string;
    code?: string;
    cause?: { code?: string; errors?: { code?: string }[] };
    message?: string;
  };
  if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return `timed out after ${timeoutMs} ms`;
  // An error code only (ECONNREFUSED, ENOTFOUND): a message may name internal hosts or addresses.
  const code = e.cause?.code ?? e.cause?.errors?.[0]?.code ?? e.code;
  return code && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : 'unreachable';
}

/** fetch refuses URLs with credentials: send them as Basic auth instead (never in answers). */
function splitCredentials(raw: string): { url: string; authorization?: string } {
  const u = new URL(raw);
  if (!u.username && !u.password) return { url: raw };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${basic}` };
}
