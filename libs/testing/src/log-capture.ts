import { PassThrough } from 'node:stream';

/** Collects the JSON log lines an app under test writes (pass `stream` to createLogger). */
export class LogCapture {
  readonly stream = new PassThrough();
  private buffer = '';

  constructor() {
    this.stream.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
    });
  }

  lines(): Record<string, unknown>[] {
    return this.buffer
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
