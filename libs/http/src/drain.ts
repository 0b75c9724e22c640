import { Global, Injectable, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from '@pjs/logger';

/**
 * Whether this process is stopping. Once draining, `/health/ready` answers 503 so the proxy or
 * orchestrator stops sending new work while requests already in flight finish.
 */
@Injectable()
export class DrainState {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  start(): void {
    this.draining = true;
  }
}

/** Provides the one DrainState of a web app to its health controller and to `serveUntilStopped`. */
@Global()
@Module({ providers: [DrainState], exports: [DrainState] })
export class DrainModule {}

export interface ServeOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** `DRAIN_DELAY`: time between turning not-ready and closing the listener (ms). */
  drainDelayMs: number;
  /** `DRAIN_TIMEOUT`: longest wait for in-flight requests once closing (ms); then exit 1. */
  drainTimeoutMs: number;
}

/**
 * Listens, then on SIGTERM or SIGINT drains: readiness turns 503 at once, the listener keeps
 * serving for the drain delay (so load balancers notice), then closes — in-flight requests finish,
 * idle keep-alive connections are closed, new requests on open connections get 503 — and the
 * process exits. A drain that outlasts the timeout exits with status 1.
 */
export async function serveUntilStopped(app: INestApplication, options: ServeOptions): Promise<void> {
  await app.listen(options.port, options.host ?? '0.0.0.0');
  const drain = app.get(DrainState);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    drain.start();
    options.logger.info('draining', { signal, drain_delay_ms: options.drainDelayMs });
    setTimeout(() => {
      const deadline = setTimeout(() => {
        options.logger.error('drain timed out; exiting with requests still open', {
          drain_timeout_ms: options.drainTimeoutMs,
        });
        process.exit(1);
      }, options.drainTimeoutMs);
      deadline.unref();
      app.close().then(
        () => {
          clearTimeout(deadline);
          options.logger.info('stopped');
          // Exit even if a client library keeps a handle open; unref'd so a clean loop exits first.
          setTimeout(() => process.exit(0), 100).unref();
        },
        (err: unknown) => {
          options.logger.error('close failed', { error: err instanceof Error ? err.message : String(err) });
          process.exit(1);
        },
      );
    }, options.drainDelayMs);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
