/**
 * A position in the change log: after the change `(txid, id)`. Opaque to callers (base64url of
 * `v1:<txid>:<id>`), so its shape can change without breaking them.
 */
export interface ChangeCursor {
  txid: bigint;
  id: bigint;
}

const SHAPE = /^v1:(\d{1,20}):(\d{1,19})$/;
const MAX_U64 = (1n << 64n) - 1n;
const MAX_I64 = (1n << 63n) - 1n;

export function encodeCursor(cursor: ChangeCursor): string {
  return Buffer.from(`v1:${cursor.txid}:${cursor.id}`, 'latin1').toString('base64url');
}

/** The cursor, or undefined when the text is not one of ours. */
export function decodeCursor(text: string): ChangeCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(text)) return undefined;
  const match = SHAPE.exec(Buffer.from(text, 'base64url').toString('latin1'));
  if (!match) return undefined;
  const txid = BigInt(match[1]);
  const id = BigInt(match[2]);
  return txid <= MAX_U64 && id <= MAX_I64 ? { txid, id } : undefined;
}

/** Negative when `a` comes before `b` in the log. */
export function compareCursors(a: ChangeCursor, b: ChangeCursor): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}
