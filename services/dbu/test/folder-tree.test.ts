import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '../src');

/** Every relative import of src/, as [importing file, imported file] relative to src/. */
function importEdges(): [string, string][] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) files.push(path);
    }
  };
  walk(SRC);
  return files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map(
      (m): [string, string] => [relative(SRC, file), relative(SRC, resolve(dirname(file), m[1]))],
    ),
  );
}

/** The folder a file belongs to at `depth` (files at the top of src/ belong to none). */
function folderOf(file: string, depth: number): string | undefined {
  const parts = file.split('/').slice(0, -1);
  return parts.length ? parts.slice(0, depth).join('/') : undefined;
}

/** Cycles of the graph between folders, each as the folders around it. */
function folderCycles(depth: number, within?: string): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const [from, to] of importEdges()) {
    if (within && !(from.startsWith(`${within}/`) && to.startsWith(`${within}/`))) continue;
    const a = folderOf(from, depth);
    const b = folderOf(to, depth);
    if (!a || !b || a === b) continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  const cycles: string[][] = [];
  const path: string[] = [];
  const done = new Set<string>();
  const visit = (node: string) => {
    const at = path.indexOf(node);
    if (at >= 0) return void cycles.push([...path.slice(at), node]);
    if (done.has(node)) return;
    path.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    path.pop();
    done.add(node);
  };
  for (const node of graph.keys()) visit(node);
  return cycles;
}

/** Features import shared code and the features below them, never one that imports them back. */
describe('the folders of services/dbu/src', () => {
  it('form a tree: no folder imports one that imports it back', () => {
    expect(folderCycles(1)).toEqual([]);
  });

  it('split imports/ by stage (read, map, stage, merge, report, runs, upload, queue, api) without cycles', () => {
    expect(folderCycles(2, 'imports')).toEqual([]);
  });
});
