import { Injectable } from '@nestjs/common';
import { CategoryRepository, type CategoryRow } from './category.repository';

export interface CategoryNode {
  id: number;
  name: string;
  path: string;
  external_id: string | null;
  parent_id: number | null;
  children: CategoryNode[];
}

/** The category tree (roots first, children ordered by position and name). */
@Injectable()
export class CategoryService {
  constructor(private readonly categories: CategoryRepository) {}

  async tree(): Promise<{ count: number; results: CategoryNode[] }> {
    const rows = await this.categories.all();
    return { count: rows.length, results: buildTree(rows) };
  }

  async flat(): Promise<{ count: number; results: Omit<CategoryNode, 'children'>[] }> {
    const rows = await this.categories.all();
    return { count: rows.length, results: rows.map(({ position: _position, ...row }) => row) };
  }
}

/** Nests rows under their parents; rows whose parent is missing (or part of a cycle) become roots. */
export function buildTree(rows: readonly CategoryRow[]): CategoryNode[] {
  const nodes = new Map<number, CategoryNode>();
  for (const r of rows) {
    nodes.set(r.id, {
      id: r.id,
      name: r.name,
      path: r.path,
      external_id: r.external_id,
      parent_id: r.parent_id,
      children: [],
    });
  }
  const roots: CategoryNode[] = [];
  for (const r of rows) {
    const node = nodes.get(r.id)!;
    const parent = r.parent_id === null ? undefined : nodes.get(r.parent_id);
    if (parent && !isAncestor(node, parent, nodes)) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

function isAncestor(node: CategoryNode, candidate: CategoryNode, nodes: Map<number, CategoryNode>): boolean {
  const seen = new Set<number>();
  for (
    let at: CategoryNode | undefined = candidate;
    at;
    at = at.parent_id === null ? undefined : nodes.get(at.parent_id)
  ) {
    if (at.id === node.id) return true;
    if (seen.has(at.id)) return false;
    seen.add(at.id);
  }
  return false;
}
