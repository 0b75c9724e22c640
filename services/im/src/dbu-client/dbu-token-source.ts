import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { readSettingSource, type SettingSource } from '@pjs/config';
import type { Logger } from '@pjs/logger';

/**
 * IM's DBU token as its secret source holds it now: `DBU_TOKEN_FILE` (a Docker secret) or the env
 * file a Vault Agent renders (`ENV_FILE`). The file is watched (polled, so an agent's
 * write-and-rename is seen too) and read again on demand, when DBU refuses the token: a token
 * rotated in the file is used from the next call on, without a restart. A file caught half-written
 * or empty keeps the token we have.
 */
export class DbuTokenSource {
  private token: string | undefined;
  private reading?: Promise<string | undefined>;
  private readonly listener?: (current: Stats, previous: Stats) => void;

  constructor(
    initial: string | undefined,
    private readonly source: SettingSource,
    private readonly logger: Logger,
    watchIntervalMs = 1000,
    private readonly onChange: (token: string) => void = () => undefined,
  ) {
    this.token = initial || undefined;
    const path = this.path;
    if (path) {
      this.listener = (current, previous) => {
        if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino || current.size !== previous.size) {
          void this.reload();
        }
      };
      watchFile(path, { interval: watchIntervalMs, persistent: false }, this.listener);
    }
  }

  /** A token source that is a file we can read again (not the environment, Vault or nothing). */
  get reloadable(): boolean {
    return this.path !== undefined;
  }

  get current(): string | undefined {
    return this.token;
  }

  /** Reads the file again (one read at a time); the token it holds now, or the one we had. */
  reload(): Promise<string | undefined> {
    if (!this.reloadable) return Promise.resolve(this.token);
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  close(): void {
    const path = this.path;
    if (path && this.listener) unwatchFile(path, this.listener);
  }

  private get path(): string | undefined {
    return this.source.kind === 'file' || this.source.kind === 'env-file' ? this.source.path : undefined;
  }

  private async read(): Promise<string | undefined> {
    try {
      const value = (await readSettingSource(this.source, 'DBU_TOKEN'))?.trim();
      if (value && value !== this.token) {
        this.token = value;
        this.onChange(value);
        this.logger.info('DBU token reloaded from its secret file', { path: this.path });
      }
    } catch (err) {
      this.logger.warn('cannot read the DBU token file; keeping the current token', { path: this.path, err });
    }
    return this.token;
  }
}
