import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/**
 * One full garbage collection, best effort. V8 collects lazily, so the garbage of one big import
 * would still be in the heap when the next one starts and the worker's memory would ratchet up;
 * after each run it returns to its baseline instead. (`--expose-gc` set at run time, the usual way
 * of reaching `gc()` without changing how the process is started.)
 */
export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
