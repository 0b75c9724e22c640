import { buildTree } from './category.service';

const row = (id: number, parent_id: number | null, name = `c${id}`) => ({
  id,
  name,
  parent_id,
  path: name,
  external_id: null,
  position: 0,
});

describe('buildTree', () => {
  it('nests children under their parents in row order', () => {
    const tree = buildTree([row(1, null), row(2, 1), row(3, 2), row(4, null), row(5, 1)]);
    expect(tree.map((n) => n.id)).toEqual([1, 4]);
    expect(tree[0].children.map((n) => n.id)).toEqual([2, 5]);
    expect(tree[0].children[0].children.map((n) => n.id)).toEqual([3]);
  });

  it('makes orphans and cycles roots instead of losing them', () => {
    const tree = buildTree([row(1, 99), row(2, 3), row(3, 2)]);
    const ids = (nodes: ReturnType<typeof buildTree>): number[] => nodes.flatMap((n) => [n.id, ...ids(n.children)]);
    expect(ids(tree).sort()).toEqual([1, 2, 3]);
  });
});
