/**
 * Upload sessions. A session's bytes and its record live in storage, so a
 * session survives a restart and works on any instance sharing the store.
 * The bytes are hashed as they arrive; the running hash is kept in memory
 * only as a shortcut, and a session whose hash is not at hand (another
 * instance took the previous chunk, or the process restarted) is hashed
 * again from storage when it completes.
 *
 * @module
 */

import { Hasher } from "../protocol/digest.ts";
import { RegistryError } from "../protocol/errors.ts";
import type { Digest, DigestAlgorithm } from "../protocol/names.ts";
import {
  type Body,
  OffsetMismatchError,
  type Storage,
} from "../storage/types.ts";
import { blobKey, uploadDataKey, uploadInfoKey, uploadPrefix } from "./keys.ts";
import { linkBlob } from "./blobs.ts";

/** What storage keeps of an upload session besides its bytes. */
export interface UploadInfo {
  repository: string;
  started: string;
}

const uuidPattern =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Running hashes by session id; bounded so abandoned sessions cannot
 * grow it without limit. */
const hashers = new Map<string, Hasher>();
const maxHashers = 1024;

/** Starts a session for `repository` and returns its id. */
export async function createUpload(
  storage: Storage,
  repository: string,
): Promise<string> {
  const id = crypto.randomUUID();
  const info: UploadInfo = { repository, started: new Date().toISOString() };
  await storage.write(
    uploadInfoKey(id),
    new TextEncoder().encode(JSON.stringify(info)),
  );
  return id;
}

/** The number of bytes a session holds; throws `BLOB_UPLOAD_UNKNOWN` if the
 * session does not exist or belongs to another repository. */
export async function uploadSize(
  storage: Storage,
  repository: string,
  id: string,
): Promise<number> {
  if (!uuidPattern.test(id)) throw unknownUpload(id);
  const [info, data] = await Promise.all([
    storage.readBytes(uploadInfoKey(id)),
    storage.stat(uploadDataKey(id)),
  ]);
  if (!info) throw unknownUpload(id);
  const record = JSON.parse(new TextDecoder().decode(info)) as UploadInfo;
  if (record.repository !== repository) throw unknownUpload(id);
  return data?.size ?? 0;
}

/**
 * Appends a chunk at `offset` and returns the session's new size. A chunk
 * that does not start where the session ends is refused with 416 and
 * changes nothing.
 */
export async function appendUpload(
  storage: Storage,
  id: string,
  offset: number,
  body: Body,
  algorithm: DigestAlgorithm = "sha256",
): Promise<number> {
  const hasher = takeHasher(id, offset, algorithm);
  let tapped = body;
  if (hasher && body instanceof Uint8Array) hasher.update(body);
  else if (hasher) tapped = (body as ReadableStream).pipeThrough(hasher.tap());
  try {
    const size = await storage.append(uploadDataKey(id), offset, tapped);
    if (hasher && size === hasher.size) keepHasher(id, hasher);
    return size;
  } catch (error) {
    if (error instanceof OffsetMismatchError) {
      throw new RegistryError(
        "BLOB_UPLOAD_INVALID",
        `chunk starts at ${offset}, upload holds ${error.size} bytes`,
        { status: 416, headers: { Range: `0-${Math.max(error.size - 1, 0)}` } },
      );
    }
    throw error;
  }
}

/**
 * Completes a session: checks the bytes against `digest`, then makes them
 * the blob in one atomic step and links it to `repository`. On a mismatch
 * the session is removed and nothing becomes visible.
 */
export async function completeUpload(
  storage: Storage,
  repository: string,
  id: string,
  digest: Digest,
): Promise<number> {
  const size = await uploadSize(storage, repository, id);
  const actual = await sessionDigest(storage, id, digest, size);
  if (actual !== digest.value) {
    await cancelUpload(storage, id);
    throw new RegistryError(
      "DIGEST_INVALID",
      `upload has digest ${actual}, not ${digest.value}`,
    );
  }

  // Content-addressed: when the blob is already stored, these bytes are
  // the same bytes and the session can simply go.
  const key = blobKey(digest);
  if (size === 0) await storage.write(uploadDataKey(id), new Uint8Array(0));
  if (await storage.stat(key)) await storage.delete(uploadDataKey(id));
  else await storage.move(uploadDataKey(id), key);
  await linkBlob(storage, repository, digest);
  await cancelUpload(storage, id);
  return size;
}

/** Removes a session and its bytes. */
export async function cancelUpload(
  storage: Storage,
  id: string,
): Promise<void> {
  hashers.delete(id);
  await storage.deletePrefix(uploadPrefix(id));
}

async function sessionDigest(
  storage: Storage,
  id: string,
  digest: Digest,
  size: number,
): Promise<string> {
  const cached = hashers.get(id);
  if (cached && cached.algorithm === digest.algorithm && cached.size === size) {
    return cached.digest();
  }
  const hasher = new Hasher(digest.algorithm);
  const stream = await storage.read(uploadDataKey(id));
  if (stream) { for await (const chunk of stream) hasher.update(chunk); }
  return hasher.digest();
}

/** The running hash that continues at `offset`, if there is one; without
 * it the digest is computed from storage at completion. */
function takeHasher(
  id: string,
  offset: number,
  algorithm: DigestAlgorithm,
): Hasher | undefined {
  const cached = hashers.get(id);
  hashers.delete(id);
  if (cached && cached.size === offset) return cached;
  return offset === 0 ? new Hasher(algorithm) : undefined;
}

function keepHasher(id: string, hasher: Hasher): void {
  if (hashers.size >= maxHashers) {
    hashers.delete(hashers.keys().next().value!);
  }
  hashers.set(id, hasher);
}

function unknownUpload(id: string): RegistryError {
  return new RegistryError(
    "BLOB_UPLOAD_UNKNOWN",
    `no upload session '${id.slice(0, 64)}'`,
  );
}
