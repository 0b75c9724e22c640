import { SingleBar } from 'cli-progress';

/** A line for the person at the terminal (stdout; logs go to stderr). */
export const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** A progress bar on stderr (a line every few seconds when stderr is not a terminal). */
export function progressBar(format: string): SingleBar {
  return new SingleBar({
    format,
    stream: process.stderr,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 5000,
    barsize: 30,
  });
}
