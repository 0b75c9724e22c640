import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { which } from './tools';

/**
 * A temp bin dir to put first on PATH. `wrap` adds a logging shim in front of a real command
 * (every argument vector goes to <dir>/<name>.argv, one line per call); `fake` adds a stand-in.
 */
export class ShimDir {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'pjs-shims-'));
  readonly bin = path.join(this.dir, 'bin');

  constructor() {
    mkdirSync(this.bin);
  }

  wrap(name: string): this {
    const real = which(name);
    if (!real) throw new Error(`${name} not installed`);
    this.fake(name, `printf '%s\\n' "$*" >> ${JSON.stringify(this.log(name))}\nexec ${JSON.stringify(real)} "$@"\n`);
    return this;
  }

  fake(name: string, body: string): this {
    const file = path.join(this.bin, name);
    writeFileSync(file, `#!/usr/bin/env bash\nset -euo pipefail\n${body}`);
    chmodSync(file, 0o755);
    return this;
  }

  log(name: string): string {
    return path.join(this.dir, `${name}.argv`);
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: this.dir,
      LANG: 'C.UTF-8',
      ...extra,
    };
  }
}
