import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { DataSource } from 'typeorm';
import { InjectLogger, type Logger } from '@pjs/logger';

const CHANNEL = 'pjs_auth';
const RETRY_MS = [250, 500, 1000, 2000, 5000];

/**
 * Listens on PostgreSQL's `pjs_auth` channel, where triggers announce every revoked or changed
 * token, deactivated user and ended session (also changes made by hand in psql). Every process
 * drops its cached credentials on each notice, so a revocation takes effect everywhere within the
 * notification's delivery time. While the listening connection is down, `live` is false and the
 * caches are not used: correctness first, the database answers until the connection is back.
 */
@Injectable()
export class AuthChangeListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private client: Client | undefined;
  private stopped = false;
  private attempt = 0;
  private readonly subscribers: (() => void)[] = [];
  live = false;

  constructor(
    private readonly db: DataSource,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** Runs `invalidate` on every change (and when the connection is lost or regained). */
  subscribe(invalidate: () => void): void {
    this.subscribers.push(invalidate);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.live = false;
    await this.client?.end().catch(() => undefined);
  }

  private notifyAll(): void {
    for (const invalidate of this.subscribers) invalidate();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const options = this.db.options as { url?: string };
    const client = new Client({ connectionString: options.url, application_name: 'auth-listener' });
    client.on('notification', (_message: Notification) => this.notifyAll());
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.client = client;
      this.attempt = 0;
      // Anything may have changed while nobody listened.
      this.notifyAll();
      this.live = true;
    } catch (err) {
      await client.end().catch(() => undefined);
      this.logger.warn('auth change listener could not connect; credential caches are off until it does', {
        err: (err as Error).message,
      });
      this.retry();
    }
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.live = false;
    this.notifyAll();
    if (!this.stopped) {
      this.logger.warn('auth change listener lost its connection; credential caches are off until it is back');
      this.retry();
    }
  }

  private retry(): void {
    const delay = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)];
    setTimeout(() => void this.connect(), delay).unref();
  }
}
