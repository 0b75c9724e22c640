/** Ends a process that could not start: one clear line on stderr (never a stack dump), exit 1. */
export function exitOnStartupError(processName: string): (err: unknown) => never {
  return (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${processName}: failed to start: ${message}\n`);
    process.exit(1);
  };
}
