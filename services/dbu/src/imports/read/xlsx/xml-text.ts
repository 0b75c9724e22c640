const AMPERSAND = 38;
const SEMICOLON = 59;
const HASH = 35;
const LOWER_X = 120;
/** `&#x10FFFF;` is the longest reference that means something; a longer `&…;` is left as written. */
const MAX_REFERENCE_LENGTH = 12;

/**
 * Resolves the five predefined XML entities and numeric character references (`&#10;`, `&#x1F600;`).
 * Anything else (an unknown name, a code point out of range) is kept as written: spreadsheet parts
 * declare no DTD, so there is nothing else to resolve. Hand-written rather than a regular
 * expression: it runs for every text of a worksheet.
 */
export function decodeXmlText(text: string): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  let out = '';
  let copied = 0;
  while (amp !== -1) {
    const semicolon = findSemicolon(text, amp + 1);
    const resolved = semicolon === -1 ? undefined : resolveReference(text, amp + 1, semicolon);
    if (resolved !== undefined) {
      out += text.slice(copied, amp) + resolved;
      copied = semicolon + 1;
    }
    amp = text.indexOf('&', resolved === undefined ? amp + 1 : copied);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function findSemicolon(text: string, from: number): number {
  const last = Math.min(text.length, from + MAX_REFERENCE_LENGTH);
  for (let i = from; i < last; i += 1) {
    const ch = text.charCodeAt(i);
    if (ch === SEMICOLON) return i;
    if (ch === AMPERSAND) return -1;
  }
  return -1;
}

/** The character a reference `text[start, end)` (between `&` and `;`) stands for. */
function resolveReference(text: string, start: number, end: number): string | undefined {
  if (text.charCodeAt(start) === HASH) {
    const hex = text.charCodeAt(start + 1) === LOWER_X;
    const digits = text.slice(start + (hex ? 2 : 1), end);
    if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return undefined;
    const code = parseInt(digits, hex ? 16 : 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  switch (text.slice(start, end)) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
    default:
      return undefined;
  }
}
