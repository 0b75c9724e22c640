import { headerKey } from '../import-profiles/column-mapping';
import { CsvTokenizer } from '../imports/read/csv-tokenizer';
import { detectDelimiter } from '../imports/read/file-sniffer';
import { CATEGORY_SEPARATOR } from '../catalogue/category-path';
import { parseCategoryPath } from '../imports/map/field-parsers';

/** One category of the wholesaler's tree, in feed order. */
export interface FeedCategory {
  externalId: string;
  name: string;
  parentExternalId: string | null;
  position: number;
}

/** A node as read, before parents given as paths are resolved to ids. */
interface RawNode extends FeedCategory {
  /** The node's own path, when the feed gave one. */
  path?: string;
  /** `parentExternalId` is a path, to be resolved against the nodes' paths. */
  parentIsPath?: boolean;
}

export class CategoryFeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CategoryFeedError';
  }
}

const MAX_NODES = 100_000;
const ID_KEYS = ['id', 'external_id', 'externalId', 'category_id', 'key', 'code'];
const NAME_KEYS = ['name', 'title', 'label', 'bezeichnung'];
const PARENT_KEYS = ['parent_id', 'parentId', 'parent', 'parent_external_id'];
const CHILD_KEYS = ['children', 'subcategories', 'categories', 'items', 'nodes'];
const PATH_KEYS = ['path', 'pfad'];

/**
 * Reads a category feed (see docs/imports.md, "Category feed"): JSON as a nested tree, a flat
 * list with parent ids, or a list of paths; or CSV with `id;name;parent_id` or `id;path` columns.
 * Answers the nodes parents-first; refuses unknown parents, cycles and duplicate ids.
 */
export function parseCategoryFeed(body: string, contentType = ''): FeedCategory[] {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (!text) throw new CategoryFeedError('the feed is empty');
  const looksJson = contentType.includes('json') || text.startsWith('[') || text.startsWith('{');
  const nodes = looksJson ? fromJson(text) : fromCsv(text);
  if (nodes.length === 0) throw new CategoryFeedError('the feed has no categories');
  if (nodes.length > MAX_NODES) throw new CategoryFeedError(`the feed has more than ${MAX_NODES} categories`);
  return ordered(nodes);
}

type Json = unknown;

function fromJson(text: string): RawNode[] {
  let data: Json;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CategoryFeedError('the feed is not valid JSON');
  }
  let list: Json = data;
  if (!Array.isArray(list) && typeof list === 'object' && list !== null) {
    const key = CHILD_KEYS.find((k) => Array.isArray((list as Record<string, Json>)[k]));
    if (!key) throw new CategoryFeedError(`a JSON feed is a list or an object with one of: ${CHILD_KEYS.join(', ')}`);
    list = (list as Record<string, Json>)[key];
  }
  const out: RawNode[] = [];
  const walk = (items: Json[], parent: RawNode | null) => {
    items.forEach((item, index) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new CategoryFeedError(`category ${index + 1}${parent ? ` under "${parent.name}"` : ''} is not an object`);
      }
      const record = item as Record<string, Json>;
      const path = pick(record, PATH_KEYS);
      let name = pick(record, NAME_KEYS);
      let parentId = parent?.externalId ?? pick(record, PARENT_KEYS) ?? null;
      let id = pick(record, ID_KEYS);
      let parentIsPath = false;
      let ownPath: string | undefined;
      if (path !== undefined) {
        const parts = splitPath(path);
        ownPath = parts.join(CATEGORY_SEPARATOR);
        name ??= parts.at(-1);
        if (!parent && parentId === null && parts.length > 1) {
          parentId = parts.slice(0, -1).join(CATEGORY_SEPARATOR);
          parentIsPath = true;
        }
        id ??= ownPath;
      }
      if (!name)
        throw new CategoryFeedError(`category ${index + 1}${parent ? ` under "${parent.name}"` : ''} has no name`);
      const node: RawNode = {
        externalId: id ?? (parent ? `${parent.externalId}${CATEGORY_SEPARATOR}${name}` : name),
        name,
        parentExternalId: parentId,
        position: index,
        path: ownPath,
        parentIsPath,
      };
      out.push(node);
      const childKey = CHILD_KEYS.find((k) => Array.isArray(record[k]));
      if (childKey) walk(record[childKey] as Json[], node);
    });
  };
  if (!Array.isArray(list)) throw new CategoryFeedError('a JSON feed is a list of categories');
  walk(list, null);
  return addMissingPathParents(out);
}

function fromCsv(text: string): RawNode[] {
  const rows: string[][] = [];
  const tokenizer = new CsvTokenizer(detectDelimiter(text), (fields) => {
    if (fields.some((f) => f.trim())) rows.push(fields.map((f) => f.trim()));
  });
  tokenizer.push(text);
  tokenizer.end();
  const header = (rows.shift() ?? []).map(headerKey);
  const column = (keys: string[]) => header.findIndex((h) => keys.map(headerKey).includes(h));
  const id = column([...ID_KEYS, 'kategorie id', 'kategorienummer']);
  const name = column([...NAME_KEYS, 'kategorie', 'category']);
  const parent = column([...PARENT_KEYS, 'eltern id', 'uebergeordnet', 'parent category']);
  const path = column([...PATH_KEYS, 'kategoriepfad', 'category path']);
  if (name < 0 && path < 0) {
    throw new CategoryFeedError('a CSV feed needs a "name" column (with "id" and "parent_id") or a "path" column');
  }
  const nodes = rows.map((cells, index): RawNode => {
    const line = index + 2;
    if (path >= 0 && cells[path]) {
      const parts = splitPath(cells[path]);
      return {
        externalId: (id >= 0 && cells[id]) || parts.join(CATEGORY_SEPARATOR),
        name: (name >= 0 && cells[name]) || parts.at(-1)!,
        parentExternalId: parts.length > 1 ? parts.slice(0, -1).join(CATEGORY_SEPARATOR) : null,
        position: index,
        path: parts.join(CATEGORY_SEPARATOR),
        parentIsPath: parts.length > 1,
      };
    }
    const text = name >= 0 ? cells[name] : undefined;
    if (!text) throw new CategoryFeedError(`line ${line} has no category name`);
    return {
      externalId: (id >= 0 && cells[id]) || text,
      name: text,
      parentExternalId: (parent >= 0 && cells[parent]) || null,
      position: index,
    };
  });
  return addMissingPathParents(nodes);
}

function pick(record: Record<string, Json>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

function splitPath(path: string): string[] {
  const parsed = parseCategoryPath(path);
  if (!parsed.ok || !parsed.value) throw new CategoryFeedError(`"${path}" is not a category path`);
  return parsed.value.split(CATEGORY_SEPARATOR);
}

/** Path feeds may list "A > B" without "A": the missing levels are added (their id is their path). */
function addMissingPathParents(nodes: RawNode[]): RawNode[] {
  const paths = new Set(nodes.map((n) => n.path ?? n.externalId));
  const added: RawNode[] = [];
  for (const node of nodes) {
    if (!node.parentIsPath) continue;
    let parent = node.parentExternalId;
    while (parent && !paths.has(parent)) {
      paths.add(parent);
      const parts = parent.split(CATEGORY_SEPARATOR);
      const grand = parts.length > 1 ? parts.slice(0, -1).join(CATEGORY_SEPARATOR) : null;
      added.push({
        externalId: parent,
        name: parts.at(-1)!,
        parentExternalId: grand,
        position: 0,
        path: parent,
        parentIsPath: true,
      });
      parent = grand;
    }
  }
  return [...added, ...nodes];
}

/** Parents before children; refuses duplicate ids, unknown parents and cycles. */
function ordered(raw: RawNode[]): FeedCategory[] {
  const byPath = new Map(raw.filter((n) => n.path).map((n) => [n.path!, n]));
  const nodes: FeedCategory[] = raw.map((n) => ({
    externalId: n.externalId,
    name: n.name,
    parentExternalId:
      n.parentIsPath && n.parentExternalId !== null
        ? (byPath.get(n.parentExternalId)?.externalId ?? n.parentExternalId)
        : n.parentExternalId,
    position: n.position,
  }));
  const byId = new Map<string, FeedCategory>();
  for (const node of nodes) {
    if (node.name.length > 200)
      throw new CategoryFeedError(`category "${node.name.slice(0, 40)}…" has a name over 200 characters`);
    if (node.externalId.length > 100)
      throw new CategoryFeedError(`category id "${node.externalId.slice(0, 40)}…" is over 100 characters`);
    if (byId.has(node.externalId)) throw new CategoryFeedError(`category id "${node.externalId}" appears twice`);
    byId.set(node.externalId, node);
  }
  const out: FeedCategory[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: FeedCategory) => {
    const seen = state.get(node.externalId);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new CategoryFeedError(`the categories around "${node.externalId}" form a cycle`);
    state.set(node.externalId, 'visiting');
    if (node.parentExternalId !== null) {
      const parent = byId.get(node.parentExternalId);
      if (!parent) {
        throw new CategoryFeedError(`category "${node.externalId}" names an unknown parent "${node.parentExternalId}"`);
      }
      visit(parent);
    }
    state.set(node.externalId, 'done');
    out.push(node);
  };
  nodes.forEach(visit);
  return out;
}
