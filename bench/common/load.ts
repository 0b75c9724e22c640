import autocannon from 'autocannon';
import { cpuMs, Tally } from './harness';

export interface LoadRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** The body, or a function giving each request its own (e.g. a random item). */
  body?: string | (() => string);
}

type AutocannonRequest = NonNullable<autocannon.Options['requests']>[number];

function toAutocannon(r: LoadRequest): AutocannonRequest {
  const request: AutocannonRequest = { method: (r.method ?? 'GET') as 'GET', path: r.path, headers: r.headers };
  const { body } = r;
  if (typeof body === 'function') request.setupRequest = (req) => ({ ...req, body: body() });
  else request.body = body;
  return request;
}

/**
 * One slice of load: `connections` keep-alive clients cycling through `requests` for `seconds`.
 * With a tally, every response's latency and the server's CPU time over the slice are recorded.
 */
export async function loadSlice(
  url: string,
  requests: readonly LoadRequest[],
  options: { connections: number; seconds: number; tally?: Tally; serverPid?: number },
): Promise<void> {
  const { tally, serverPid } = options;
  const cpuBefore = cpuMs(serverPid);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        duration: options.seconds,
        requests: requests.map(toAutocannon),
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    if (tally) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        tally.add(responseTime);
        if (statusCode < 200 || statusCode >= 300) tally.non2xx += 1;
      });
    }
  });
  if (tally) {
    tally.requests += result.requests.total;
    tally.errors += result.errors + result.timeouts;
    tally.seconds += result.duration;
    tally.serverCpuMs += cpuMs(serverPid) - cpuBefore;
  }
}

/** One contender's figures over interleaved slices: per slice req/s and server CPU, all latencies. */
export interface ContenderRun {
  rps: number[];
  cpuUsPerRequest: number[];
  /** Every response of every slice (for percentiles) and the totals. */
  total: Tally;
}

/**
 * Interleaved measurement: `slices` rounds in which every contender gets one slice of load, in an
 * order that rotates round by round, so that load from elsewhere on the machine hits each alike.
 * Medians over the slices are the steadier figures on a shared machine.
 */
export async function interleavedSlices<C extends string>(
  contenders: readonly C[],
  target: (contender: C) => { url: string; pid?: number; requests: readonly LoadRequest[] },
  options: { slices: number; sliceSeconds: number; connections: number; onSlice?: (slice: number) => void },
): Promise<Record<C, ContenderRun>> {
  const runs = Object.fromEntries(
    contenders.map((c): [C, ContenderRun] => [c, { rps: [], cpuUsPerRequest: [], total: new Tally() }]),
  ) as Record<C, ContenderRun>;
  for (let s = 0; s < options.slices; s += 1) {
    const order = contenders.map((_, i) => contenders[(i + s) % contenders.length]);
    for (const c of order) {
      const { url, pid, requests } = target(c);
      const tally = new Tally();
      await loadSlice(url, requests, {
        connections: options.connections,
        seconds: options.sliceSeconds,
        tally,
        serverPid: pid,
      });
      runs[c].rps.push(tally.rps);
      runs[c].cpuUsPerRequest.push(tally.cpuPerRequestUs);
      runs[c].total.merge(tally);
    }
    options.onSlice?.(s + 1);
  }
  return runs;
}
