import { posix } from 'node:path';
import { XmlScanner, type TagAttributes, type XmlHandler } from './xml-scanner';

/** A worksheet as the workbook lists it, with the zip part that holds its cells. */
export interface WorkbookSheet {
  name: string;
  part: string;
}

/** What is needed to read a workbook's cells: its worksheets in workbook order, and its shared strings. */
export interface WorkbookMap {
  sheets: WorkbookSheet[];
  sharedStringsPart?: string;
}

/** The few reads `readWorkbookMap` needs from the zip container. */
export interface PartReader {
  readText(part: string): Promise<string | undefined>;
  has(part: string): boolean;
}

const DEFAULT_WORKBOOK_PART = 'xl/workbook.xml';

/**
 * Finds the worksheets through the package relationships rather than by file name: the workbook
 * part is named by `_rels/.rels`, each `<sheet>` of workbook.xml points by `r:id` to a relationship
 * whose target (relative, or absolute from the package root) is the sheet's part. Chart sheets and
 * other non-worksheets are left out. Undefined when the zip holds no workbook at all.
 */
export async function readWorkbookMap(archive: PartReader): Promise<WorkbookMap | undefined> {
  const rootRels = relationships((await archive.readText('_rels/.rels')) ?? '', '');
  const workbookPart = rootRels.find((r) => r.type.endsWith('/officeDocument'))?.part ?? DEFAULT_WORKBOOK_PART;
  const workbookXml = await archive.readText(workbookPart);
  if (workbookXml === undefined) return undefined;
  const rels = relationships((await archive.readText(relsPathOf(workbookPart))) ?? '', workbookPart);
  const byId = new Map(rels.map((r) => [r.id, r]));

  const sheets: WorkbookSheet[] = [];
  elements(workbookXml, 'sheet').forEach((attributes, index) => {
    const rel = byId.get(relationshipId(attributes) ?? '');
    if (!rel?.type.endsWith('/worksheet')) return;
    sheets.push({ name: attributes.get('name') ?? `Sheet${index + 1}`, part: rel.part });
  });

  const fallbackStrings = posix.join(posix.dirname(workbookPart), 'sharedStrings.xml');
  const sharedStringsPart =
    rels.find((r) => r.type.endsWith('/sharedStrings'))?.part ??
    (archive.has(fallbackStrings) ? fallbackStrings : undefined);
  return { sheets, sharedStringsPart };
}

/** The part a relationship target names, seen from `sourcePart` (`''` for the package root). */
export function resolveTarget(sourcePart: string, target: string): string {
  let decoded = target;
  try {
    decoded = decodeURIComponent(target); // targets are URIs: `sheet%201.xml` is the part `sheet 1.xml`
  } catch {
    // not percent-encoded after all
  }
  const joined = decoded.startsWith('/') ? decoded : posix.join(posix.dirname(sourcePart), decoded);
  return posix.normalize(joined).replace(/^\/+/, '');
}

/** `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`. */
export function relsPathOf(part: string): string {
  return posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);
}

interface Relationship {
  id: string;
  type: string;
  part: string;
}

function relationships(xml: string, sourcePart: string): Relationship[] {
  return elements(xml, 'Relationship')
    .filter((a) => a.get('TargetMode') !== 'External' && a.has('Target'))
    .map((a) => ({
      id: a.get('Id') ?? '',
      type: a.get('Type') ?? '',
      part: resolveTarget(sourcePart, a.get('Target')!),
    }));
}

/** `r:id`, whatever prefix the producer bound to the relationships namespace. */
function relationshipId(attributes: Map<string, string>): string | undefined {
  for (const [name, value] of attributes) if (name.endsWith(':id')) return value;
  return undefined;
}

/** The attributes of every element with this local name, in document order (for small parts). */
function elements(xml: string, wanted: string): Map<string, string>[] {
  const found: Map<string, string>[] = [];
  const collector: XmlHandler = {
    wantsText: false,
    open: (name: string, attributes: TagAttributes) => {
      if (name === wanted) found.push(attributes.all());
    },
    close: () => undefined,
    text: () => undefined,
  };
  const scanner = new XmlScanner(collector);
  scanner.push(xml);
  scanner.end();
  return found;
}
