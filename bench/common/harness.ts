/**
 * What every benchmark here needs: settings from the environment, free ports, child servers with
 * their CPU time read from /proc, and a tally of latencies with exact percentiles.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A positive number from the environment, or the fallback. */
export function envNumber(name: string, fallback: number): number {
  const value = process.env[name];
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

export function envList(name: string): string[] {
  return (process.env[name] ?? '').split(' ').filter(Boolean);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Waits until `url` answers anything below 500, or fails when the child exits first. */
export async function waitHttp(url: string, child: ChildProcess, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s`);
}

/**
 * A Node child process; its last stderr is printed if it fails. Its stdout (the access log: a line
 * per request) is drained from a pipe by default; `discardOutput` sends it to /dev/null instead, as
 * a log collector that keeps up would take it: a pipe drained by this process, busy generating the
 * load, blocks the child's synchronous stdout writes and measures the bench rather than the server.
 */
export function startChild(
  name: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  options: { discardOutput?: boolean } = {},
): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', options.discardOutput ? 'ignore' : 'pipe', 'pipe'],
  });
  // Keep the pipes drained (the access log is one line per request) without printing.
  child.stdout?.on('data', () => undefined);
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (code && code !== 0) process.stderr.write(`${name} exited ${code ?? signal}: ${errors}\n`);
  });
  return child;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** CPU time (ms, user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after "pid (comm) ".
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Latencies (ms) of every response of one contender in one scenario, and the counts. */
export class Tally {
  private latencies = new Float64Array(1 << 16);
  private size = 0;
  requests = 0;
  non2xx = 0;
  errors = 0;
  seconds = 0;
  /** CPU ms the server process used during the measured slices. */
  serverCpuMs = 0;

  add(ms: number): void {
    if (this.size === this.latencies.length) {
      const bigger = new Float64Array(this.latencies.length * 2);
      bigger.set(this.latencies);
      this.latencies = bigger;
    }
    this.latencies[this.size++] = ms;
  }

  /** Adds another tally's responses and counts (e.g. one slice's into a contender's total). */
  merge(other: Tally): void {
    for (let i = 0; i < other.size; i += 1) this.add(other.latencies[i]);
    this.requests += other.requests;
    this.non2xx += other.non2xx;
    this.errors += other.errors;
    this.seconds += other.seconds;
    this.serverCpuMs += other.serverCpuMs;
  }

  percentile(p: number): number {
    const sorted = this.latencies.slice(0, this.size).sort();
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  }

  get rps(): number {
    return this.requests / this.seconds;
  }

  /** Server CPU per request, in µs. */
  get cpuPerRequestUs(): number {
    return (this.serverCpuMs * 1000) / this.requests;
  }
}

/** A positive whole number from the environment, or the fallback. */
export function envInt(name: string, fallback: number): number {
  const n = envNumber(name, fallback);
  if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number`);
  return n;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
export type { ChildProcess } from 'node:child_process';
