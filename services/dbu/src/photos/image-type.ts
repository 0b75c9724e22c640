/** Image types we store, recognised by their first bytes (never by the server's Content-Type). */
export interface ImageType {
  contentType: string;
  extension: string;
}

const JPEG: ImageType = { contentType: 'image/jpeg', extension: 'jpg' };
const PNG: ImageType = { contentType: 'image/png', extension: 'png' };
const GIF: ImageType = { contentType: 'image/gif', extension: 'gif' };
const WEBP: ImageType = { contentType: 'image/webp', extension: 'webp' };
const AVIF: ImageType = { contentType: 'image/avif', extension: 'avif' };

/** Bytes needed to decide. */
export const MAGIC_BYTES = 16;

const at = (head: Buffer, offset: number, bytes: number[] | string) =>
  (typeof bytes === 'string' ? [...Buffer.from(bytes, 'latin1')] : bytes).every((b, i) => head[offset + i] === b);

export function detectImageType(head: Buffer): ImageType | undefined {
  if (at(head, 0, [0xff, 0xd8, 0xff])) return JPEG;
  if (at(head, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return PNG;
  if (at(head, 0, 'GIF87a') || at(head, 0, 'GIF89a')) return GIF;
  if (at(head, 0, 'RIFF') && at(head, 8, 'WEBP')) return WEBP;
  if (at(head, 4, 'ftyp') && (at(head, 8, 'avif') || at(head, 8, 'avis'))) return AVIF;
  return undefined;
}
