import { spawn, type ChildProcess } from 'node:child_process';
import { TS_REGISTER, waitFor } from '@pjs/testing';

export { freePort } from '../../../../../test/support/free-port';

/** A real service entry point (`src/main.ts`, `src/worker.ts`) in a child process, run from the sources. */
export class ServiceProcess {
  private child?: ChildProcess;
  output = '';

  constructor(
    private readonly entry: string,
    private readonly env: Record<string, string>,
    private readonly readyText: string,
  ) {}

  async start(): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, ['-r', TS_REGISTER, this.entry], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`${this.entry} exited (${child.exitCode}):\n${this.output}`);
      return this.output.includes(this.readyText);
    }, 90_000);
  }

  /** Log lines (JSON) whose message is `message`. */
  lines(message: string): Record<string, unknown>[] {
    return this.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === message);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
