/**
 * Blobs as a repository sees them: the shared content-addressed bytes,
 * plus a link that says the blob belongs to the repository. A blob is
 * served from a repository only when both exist, so a digest pushed to one
 * repository cannot be read through another the caller happens to name.
 *
 * @module
 */

import type { Digest } from "../protocol/names.ts";
import type { ByteRange, Storage } from "../storage/types.ts";
import { blobKey, layerLinkKey } from "./keys.ts";

const empty = new Uint8Array(0);

/** The size of a blob in `repository`, or `undefined` if it is not there. */
export async function blobSize(
  storage: Storage,
  repository: string,
  digest: Digest,
): Promise<number | undefined> {
  const [link, blob] = await Promise.all([
    storage.stat(layerLinkKey(repository, digest)),
    storage.stat(blobKey(digest)),
  ]);
  return link && blob ? blob.size : undefined;
}

/** Streams a blob's bytes, or a range of them. */
export function readBlob(
  storage: Storage,
  digest: Digest,
  range?: ByteRange,
): Promise<ReadableStream<Uint8Array> | undefined> {
  return storage.read(blobKey(digest), range);
}

/** Whether the blob's bytes are stored at all, in any repository. */
export async function blobExists(
  storage: Storage,
  digest: Digest,
): Promise<boolean> {
  return (await storage.stat(blobKey(digest))) !== undefined;
}

/** Makes a stored blob part of `repository`. */
export async function linkBlob(
  storage: Storage,
  repository: string,
  digest: Digest,
): Promise<void> {
  await storage.write(layerLinkKey(repository, digest), empty);
}

/** Removes a blob from `repository`; the bytes stay until garbage
 * collection, since other repositories may share them. */
export function unlinkBlob(
  storage: Storage,
  repository: string,
  digest: Digest,
): Promise<boolean> {
  return storage.delete(layerLinkKey(repository, digest));
}
