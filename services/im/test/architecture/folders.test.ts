import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const SRC = join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The top folder of a file under src/ ('' for the entry files at the root). */
const folderOf = (file: string): string => {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0] : '';
};

/** folder → the folders its files import (relative imports only; packages are not folders). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    if (!from) continue;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const to = folderOf(join(file, '..', spec));
      if (to && to !== from) edges.add(to);
    }
  }
  return graph;
}

function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const visit = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next]);
      else visit(next, [...path, next]);
    }
  };
  for (const node of graph.keys()) visit(node, [node]);
  return found;
}

describe('services/im/src folders', () => {
  it('form a tree: no folder imports one that imports it back', () => {
    expect(cycles(folderGraph()).map((c) => c.join(' → '))).toEqual([]);
  });

  it('keep the entry points out of the features: no folder imports a file at the root of src/', () => {
    const rootImports: string[] = [];
    for (const file of sourceFiles(SRC)) {
      if (!folderOf(file)) continue;
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const target = relative(SRC, join(file, '..', spec));
        if (!target.includes(sep) && target !== 'access-policy') rootImports.push(`${relative(SRC, file)} → ${target}`);
      }
    }
    expect(rootImports).toEqual([]);
  });
});
