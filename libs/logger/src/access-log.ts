import { loggerDestination, type Logger } from './logger';

/** One finished HTTP request, as the access log line records it. */
export interface AccessRecord {
  requestId: string;
  method: string;
  /** The path without its query string (queries may carry search terms, never logged). */
  path: string;
  status: number;
  durationMs: number;
  clientIp: string | undefined;
  /** The route template the request matched, or undefined when it matched none. */
  route: string | undefined;
}

const MAX_PENDING = 256;
/** Lines are written at most this often (a write is a system call; lines of a burst share one). */
const MIN_FLUSH_INTERVAL_MS = 10;
const unflushed = new Set<AccessLog>();
let exitHook = false;

/**
 * The access log: one JSON line per request, in the same field schema and on the same output as
 * the winston logger it is made from (`timestamp`, `level`, `service`, `process`, `msg`,
 * `request_id`, `method`, `path`, `status`, `duration_ms`, `client_ip`, `route`).
 *
 * Why not winston itself: a line through winston's format chain and streams costs ~15 µs of CPU,
 * more than half of what a whole request costs Fastify (docs/architecture.md, "Access log"). Here a
 * line is one template string, and lines leave in one write per 10 ms at most (the first line after
 * a quiet spell right away). Errors (5xx) are logged at `error`, the rest at `info`; nothing is written when the
 * logger's level is above `info`.
 */
export class AccessLog {
  private readonly stream: NodeJS.WritableStream;
  private readonly head: string;
  private pending = '';
  private count = 0;
  private scheduled = false;
  private lastFlush = 0;
  private stampMs = 0;
  private stamp = '';

  constructor(private readonly logger: Logger) {
    const { stream, options } = loggerDestination(logger);
    this.stream = stream;
    this.head = `"service":${JSON.stringify(options.service)},"process":${JSON.stringify(options.process)},"msg":"request"`;
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => unflushed.forEach((log) => log.flush()));
    }
  }

  get enabled(): boolean {
    return this.logger.isLevelEnabled('info');
  }

  write(record: AccessRecord): void {
    const level = record.status >= 500 ? 'error' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    this.pending +=
      `{"timestamp":"${this.timestamp()}","level":"${level}",${this.head}` +
      `,"request_id":${JSON.stringify(record.requestId)},"method":${JSON.stringify(record.method)}` +
      `,"path":${JSON.stringify(record.path)},"status":${record.status}` +
      `,"duration_ms":${Math.round(record.durationMs * 10) / 10}` +
      `,"client_ip":${record.clientIp === undefined ? 'null' : JSON.stringify(record.clientIp)}` +
      `,"route":${record.route === undefined ? 'null' : JSON.stringify(record.route)}}\n`;
    this.count += 1;
    if (this.count >= MAX_PENDING) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      unflushed.add(this);
      const wait = this.lastFlush + MIN_FLUSH_INTERVAL_MS - Date.now();
      if (wait <= 0) setImmediate(() => this.flush());
      else setTimeout(() => this.flush(), wait).unref();
    }
  }

  /** ISO time of now; lines of the same millisecond share one formatting. */
  private timestamp(): string {
    const now = Date.now();
    if (now !== this.stampMs) {
      this.stampMs = now;
      this.stamp = new Date(now).toISOString();
    }
    return this.stamp;
  }

  /** Writes what is pending now (also on exit). */
  flush(): void {
    this.scheduled = false;
    unflushed.delete(this);
    if (!this.pending) return;
    this.lastFlush = Date.now();
    const lines = this.pending;
    this.pending = '';
    this.count = 0;
    this.stream.write(lines);
  }
}
