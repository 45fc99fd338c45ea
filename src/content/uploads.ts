/**
 * Upload sessions. A session's bytes and its record live in storage, so a
 * session survives a restart and works on any instance sharing the store.
 * The bytes are hashed as they arrive; the running hash is kept in memory
 * only as a shortcut (see `upload_hashes.ts`), and a session whose hash is
 * not at hand is hashed again from storage when it completes.
 *
 * @module
 */

import { Hasher } from "../protocol/digest.ts";
import { RegistryError } from "../protocol/errors.ts";
import type { Digest, DigestAlgorithm } from "../protocol/names.ts";
import { uploadRange } from "../protocol/range.ts";
import {
  type Body,
  OffsetMismatchError,
  type Storage,
} from "../storage/types.ts";
import {
  blobKey,
  uploadDataKey,
  uploadInfoKey,
  uploadKeys,
  uploadSealedKey,
} from "./keys.ts";
import { linkBlob } from "./blobs.ts";
import type { UploadHashes } from "./upload_hashes.ts";

/** What storage keeps of an upload session besides its bytes. */
export interface UploadInfo {
  repository: string;
  started: string;
}

const uuidPattern =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Starts a session for `repository` and returns its id. */
export async function createUpload(
  storage: Storage,
  repository: string,
): Promise<string> {
  const id = crypto.randomUUID();
  const info: UploadInfo = { repository, started: new Date().toISOString() };

  // Appended rather than written: a session record need not survive a
  // crash (the client then starts its upload again), so it is spared the
  // disk syncs of a durable write. A record a crash tore is refused as an
  // unknown session.
  await storage.append(
    uploadInfoKey(id),
    0,
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
  let record: UploadInfo;
  try {
    record = JSON.parse(new TextDecoder().decode(info));
  } catch {
    throw unknownUpload(id);
  }
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
  hashes: UploadHashes,
  id: string,
  offset: number,
  body: Body,
  algorithm: DigestAlgorithm = "sha256",
): Promise<number> {
  const hasher = hashes.take(id, offset, algorithm);
  let tapped = body;
  if (hasher && body instanceof Uint8Array) hasher.update(body);
  else if (hasher) tapped = (body as ReadableStream).pipeThrough(hasher.tap());
  try {
    const size = await storage.append(uploadDataKey(id), offset, tapped);
    if (hasher && size === hasher.size) hashes.keep(id, hasher);
    return size;
  } catch (error) {
    if (error instanceof OffsetMismatchError) {
      // Another request appended first; this chunk changed nothing.
      throw outOfOrder(offset, error.size);
    }
    throw error;
  }
}

/** The 416 answer for a chunk that does not start where the upload ends. */
export function outOfOrder(start: number, size: number): RegistryError {
  return new RegistryError(
    "BLOB_UPLOAD_INVALID",
    `chunk starts at ${start}, upload holds ${size} bytes`,
    { status: 416, headers: { Range: uploadRange(size) } },
  );
}

/**
 * Completes a session: checks the bytes against `digest`, then makes them
 * the blob in one atomic step and links it to `repository`. On a mismatch
 * the session is removed and nothing becomes visible.
 *
 * The bytes are first sealed (moved away from where chunks are appended)
 * so that a chunk the client sends at the same time cannot slip in between
 * the digest check and the commit. `exclusive` skips that step for a
 * session whose id never left the current request, so no other request
 * can append to it.
 *
 * The caller has already found the session to belong to `repository`
 * (with {@linkcode uploadSize}, or by creating it), so it is not read
 * again here.
 */
export async function completeUpload(
  storage: Storage,
  hashes: UploadHashes,
  repository: string,
  id: string,
  digest: Digest,
  exclusive = false,
): Promise<number> {
  let data = uploadDataKey(id);
  let info = await storage.stat(data);
  if (!info) await storage.write(data, new Uint8Array(0));
  if (!exclusive) {
    // Not durable: the sealed bytes are moved on (durably) or dropped
    // before this request answers, and a crash in between only loses an
    // upload the client was never told had succeeded.
    await storage.move(data, uploadSealedKey(id), { durable: false });
    data = uploadSealedKey(id);
    info = await storage.stat(data);
  }

  const size = info?.size ?? 0;
  const actual = hashes.digest(id, digest.algorithm, size) ??
    await digestFromStorage(storage, data, digest.algorithm);
  if (actual !== digest.value) {
    await cancelUpload(storage, hashes, id);
    throw new RegistryError(
      "DIGEST_INVALID",
      `upload has digest ${actual}, not ${digest.value}`,
    );
  }

  // The bytes go to the blob's key even when it is already stored (with
  // the same bytes, since it is content-addressed): the move makes the
  // blob young again, so garbage collection's grace period protects a
  // blob that was unreferenced and old until this push.
  await storage.move(data, blobKey(digest));
  await linkBlob(storage, repository, digest);

  // The bytes have moved on, so the record is all the session has left.
  hashes.forget(id);
  await storage.delete(uploadInfoKey(id));
  return size;
}

/** Removes a session and its bytes. */
export async function cancelUpload(
  storage: Storage,
  hashes: UploadHashes,
  id: string,
): Promise<void> {
  hashes.forget(id);
  await Promise.all(uploadKeys(id).map((key) => storage.delete(key)));
}

async function digestFromStorage(
  storage: Storage,
  key: string,
  algorithm: DigestAlgorithm,
): Promise<string> {
  const hasher = new Hasher(algorithm);
  const stream = await storage.read(key);
  if (stream) { for await (const chunk of stream) hasher.update(chunk); }
  return hasher.digest();
}

function unknownUpload(id: string): RegistryError {
  return new RegistryError(
    "BLOB_UPLOAD_UNKNOWN",
    `no upload session '${id.slice(0, 64)}'`,
  );
}
