import { decodeXmlText } from './xml-text';

/** The attributes of the start tag being reported; valid only during `XmlHandler.open`. */
export interface TagAttributes {
  /** The decoded value of the attribute with this qualified name (`r`, `t`, `r:id`), if present. */
  get(name: string): string | undefined;
  /** Every attribute by qualified name (allocates: meant for small parts such as workbook.xml). */
  all(): Map<string, string>;
}

/**
 * Receives what an `XmlScanner` finds. Element names come without their namespace prefix
 * (`x:row` → `row`), since producers choose prefixes freely. A self-closing element is reported
 * as `open` followed by `close`.
 */
export interface XmlHandler {
  open(name: string, attributes: TagAttributes): void;
  close(name: string): void;
  /** Character data (entities resolved, CDATA as is); one text node may come in several pieces. */
  text(text: string): void;
  /** Read before each piece of text: character data is only sliced out while this is true. */
  readonly wantsText: boolean;
}

const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const BANG = 33; // !
const QUESTION = 63; // ?
const COLON = 58; // :
const EQUALS = 61; // =
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
/** Attributes remembered per start tag; spreadsheet elements have a handful, later ones are ignored. */
const MAX_ATTRIBUTES = 64;
/** A tag, comment or CDATA section longer than this is not a spreadsheet: refuse it instead of buffering. */
const MAX_PENDING_CHARS = 16 * 1024 * 1024;

/**
 * A streaming tokenizer for the XML of spreadsheet parts: elements, attributes and text, nothing
 * more (no DTDs, no namespace resolution). Chunks may split tags, references, CDATA and UTF-8
 * characters anywhere: an unfinished token is kept until the next chunk. Each start tag is read in
 * one pass that notes where its attributes are; no object is made per token (only the element name
 * and the texts asked for), which keeps a 60 MB worksheet from filling the heap with garbage.
 */
export class XmlScanner implements TagAttributes {
  private pending = '';
  private readonly decoder = new TextDecoder('utf-8');
  /** The chunk holding the start tag being reported, and its attributes as offsets into it. */
  private source = '';
  private attributeCount = 0;
  /** Per attribute: name start, name end, value start, value end (between the quotes). */
  private readonly offsets = new Int32Array(MAX_ATTRIBUTES * 4);
  private tagEnd = 0;
  private selfClosing = false;

  constructor(private readonly handler: XmlHandler) {}

  /** Scans the next bytes of a UTF-8 document; a character split between two chunks is kept whole. */
  write(bytes: Uint8Array): void {
    this.push(this.decoder.decode(bytes, { stream: true }));
  }

  /** Scans the next piece of a document already decoded. */
  push(chunk: string): void {
    const buf = this.pending.length ? this.pending + chunk : chunk;
    const end = this.scan(buf);
    this.pending = end < buf.length ? buf.slice(end) : '';
    if (this.pending.length > MAX_PENDING_CHARS) throw new Error('an XML token is too long');
  }

  /** Call once after the last chunk: refuses a document cut off inside a tag. */
  end(): void {
    const rest = this.pending + this.decoder.decode();
    this.pending = '';
    if (rest.trim() === '') return;
    if (rest.charCodeAt(0) === LT) throw new Error('the XML ends inside a tag');
    this.emitText(rest, 0, rest.length);
  }

  get(name: string): string | undefined {
    const offsets = this.offsets;
    for (let a = 0; a < this.attributeCount * 4; a += 4) {
      if (offsets[a + 1] - offsets[a] === name.length && this.source.startsWith(name, offsets[a])) {
        return decodeXmlText(this.source.slice(offsets[a + 2], offsets[a + 3]));
      }
    }
    return undefined;
  }

  all(): Map<string, string> {
    const found = new Map<string, string>();
    const offsets = this.offsets;
    for (let a = 0; a < this.attributeCount * 4; a += 4) {
      const name = this.source.slice(offsets[a], offsets[a + 1]);
      found.set(name, decodeXmlText(this.source.slice(offsets[a + 2], offsets[a + 3])));
    }
    return found;
  }

  /** Reports every complete token of `buf`; returns where the unfinished rest begins. */
  private scan(buf: string): number {
    const handler = this.handler;
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      if (buf.charCodeAt(pos) !== LT) {
        const lt = buf.indexOf('<', pos);
        if (lt === -1) return this.textToEnd(buf, pos);
        this.emitText(buf, pos, lt);
        pos = lt;
      }
      if (pos + 1 >= len) return pos;
      const next = buf.charCodeAt(pos + 1);
      if (next === SLASH) {
        const gt = buf.indexOf('>', pos + 2);
        if (gt === -1) return pos;
        handler.close(nameAt(buf, pos + 2, gt));
        pos = gt + 1;
      } else if (next === BANG || next === QUESTION) {
        const after = this.skipMarkup(buf, pos);
        if (after === -1) return pos;
        pos = after;
      } else {
        let nameEnd = pos + 1;
        let nameStart = nameEnd;
        for (; nameEnd < len; nameEnd += 1) {
          const ch = buf.charCodeAt(nameEnd);
          if (ch === COLON) nameStart = nameEnd + 1;
          else if (ch === GT || ch === SLASH || isSpace(ch)) break;
        }
        if (!this.readAttributes(buf, nameEnd)) return pos;
        const name = buf.slice(nameStart, nameEnd);
        const after = this.tagEnd + 1;
        const selfClosing = this.selfClosing;
        handler.open(name, this);
        if (selfClosing) handler.close(name);
        pos = after;
      }
    }
    return pos;
  }

  /**
   * Reads the attributes of a start tag from `i` (after its name) up to its `>`, noting their
   * offsets. False when the tag is not complete in `buf` yet.
   */
  private readAttributes(buf: string, i: number): boolean {
    const len = buf.length;
    const offsets = this.offsets;
    let count = 0;
    for (;;) {
      while (i < len && isSpace(buf.charCodeAt(i))) i += 1;
      if (i >= len) return false;
      const ch = buf.charCodeAt(i);
      if (ch === GT || ch === SLASH) {
        if (ch === SLASH) {
          if (i + 1 >= len) return false;
          if (buf.charCodeAt(i + 1) !== GT) {
            i += 1; // a stray '/': not well-formed, skip it
            continue;
          }
          i += 1;
        }
        this.source = buf;
        this.attributeCount = count;
        this.tagEnd = i;
        this.selfClosing = ch === SLASH;
        return true;
      }
      const nameStart = i;
      while (i < len && !endsName(buf.charCodeAt(i)) && buf.charCodeAt(i) !== EQUALS) i += 1;
      const nameEnd = i;
      while (i < len && isSpace(buf.charCodeAt(i))) i += 1;
      if (i >= len) return false;
      if (buf.charCodeAt(i) !== EQUALS) {
        if (nameEnd === nameStart) i += 1; // not well-formed: step over the odd character
        continue; // an attribute without a value (not well-formed): ignore it
      }
      i += 1;
      while (i < len && isSpace(buf.charCodeAt(i))) i += 1;
      if (i >= len) return false;
      const quote = buf.charCodeAt(i);
      if (quote !== DOUBLE_QUOTE && quote !== SINGLE_QUOTE) continue; // unquoted value: not XML
      const close = buf.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", i + 1);
      if (close === -1) return false;
      if (count < MAX_ATTRIBUTES) {
        const at = count * 4;
        offsets[at] = nameStart;
        offsets[at + 1] = nameEnd;
        offsets[at + 2] = i + 1;
        offsets[at + 3] = close;
        count += 1;
      }
      i = close + 1;
    }
  }

  /** Text up to the end of the chunk: all of it but a trailing reference that the next chunk completes. */
  private textToEnd(buf: string, pos: number): number {
    let end = buf.length;
    const amp = buf.lastIndexOf('&');
    // References are short (`&#x1F600;`): a lone `&` further back than this is just (ill-formed) text.
    if (amp >= pos && buf.indexOf(';', amp) === -1 && buf.length - amp < 32) end = amp;
    if (end > pos) this.emitText(buf, pos, end);
    return end;
  }

  private emitText(buf: string, start: number, end: number): void {
    if (!this.handler.wantsText) return;
    this.handler.text(decodeXmlText(buf.slice(start, end)));
  }

  /** Comments, CDATA, processing instructions and declarations; -1 while they are incomplete. */
  private skipMarkup(buf: string, pos: number): number {
    if (buf.startsWith('<![CDATA[', pos)) {
      const close = buf.indexOf(']]>', pos + 9);
      if (close === -1) return -1;
      if (this.handler.wantsText) this.handler.text(buf.slice(pos + 9, close));
      return close + 3;
    }
    if (buf.startsWith('<!--', pos)) {
      const close = buf.indexOf('-->', pos + 4);
      return close === -1 ? -1 : close + 3;
    }
    if (buf.charCodeAt(pos + 1) === QUESTION) {
      const close = buf.indexOf('?>', pos + 2);
      return close === -1 ? -1 : close + 2;
    }
    // Too short yet to tell `<![CDATA[` or `<!--` from a declaration such as `<!DOCTYPE …>`.
    const start = buf.slice(pos, pos + 9);
    if (start.length < 9 && ('<![CDATA['.startsWith(start) || '<!--'.startsWith(start))) return -1;
    const close = buf.indexOf('>', pos + 2);
    return close === -1 ? -1 : close + 1;
  }
}

/** The element name that starts at `start` and ends before `end` or a blank, without its prefix (`x:row` → `row`). */
function nameAt(buf: string, start: number, end: number): string {
  let nameStart = start;
  let i = start;
  for (; i < end; i += 1) {
    const ch = buf.charCodeAt(i);
    if (ch === COLON) nameStart = i + 1;
    else if (isSpace(ch)) break;
  }
  return buf.slice(nameStart, i);
}

function endsName(ch: number): boolean {
  return ch === GT || ch === SLASH || isSpace(ch);
}

function isSpace(ch: number): boolean {
  return ch === 32 || ch === 10 || ch === 9 || ch === 13;
}
