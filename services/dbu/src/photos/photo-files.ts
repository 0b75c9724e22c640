import { lstat, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

/**
 * The name of a stored photo as served: its content's SHA-256 and the extension of its type
 * (see PhotoFetcher: stored as `photos/<first two hex>/<name>`). Nothing else is ever looked up:
 * no dots before the extension, no slashes (plain or encoded), no other folders.
 */
export const PHOTO_FILE_NAME = /^[0-9a-f]{64}\.(?:jpg|png|gif|webp|avif)$/;

/** Where PhotoFetcher keeps a photo of this name, relative to the photos folder. */
export function photoRelativePath(name: string): string {
  return join(name.slice(0, 2), name);
}

/** The served URL of a stored photo: PUBLIC_BASE_URL (or none: a path) + `/media/photos/<name>`. */
export const PHOTO_ROUTE_PREFIX = '/media/photos/';

/**
 * The file of a photo name under `photosDir`, only when it is a regular file reached without
 * symbolic links inside that folder; undefined otherwise (unknown name, missing, a link, a folder).
 */
export async function resolvePhotoFile(photosDir: string, name: string): Promise<string | undefined> {
  if (!PHOTO_FILE_NAME.test(name)) return undefined;
  const path = join(photosDir, photoRelativePath(name));
  try {
    const [stat, root, real] = await Promise.all([lstat(path), realpath(photosDir), realpath(path)]);
    if (!stat.isFile()) return undefined;
    // A link anywhere on the way (the shard folder too) ends up elsewhere than where it was asked for.
    if (real !== join(root, photoRelativePath(name)) || !real.startsWith(root + sep)) return undefined;
    return real;
  } catch {
    return undefined;
  }
}
