/**
 * Verification of the whole store: every blob under `blobs/` is read
 * back and hashed, and every reference of every repository is followed.
 * A blob whose bytes no longer hash to its digest (a failing disk, a file
 * changed by hand) is corrupt; with `repair` it is moved aside to
 * `quarantine/<alg>/<hex>`, so the registry stops serving it and the next
 * push of that digest stores it afresh. Verification only reads unless
 * asked to repair, and then it only moves corrupt blobs; it runs safely
 * while the registry serves.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { listRepositories } from "../content/tags.ts";
import type { Digest } from "../protocol/names.ts";
import type { Storage } from "../storage/types.ts";
import { findMissing, type MissingContent } from "./_missing.ts";
import { eachLimited } from "./_pool.ts";
import { ReferenceReader } from "./_references.ts";
import { listUploadIds } from "./_uploads.ts";
import { quarantineKey } from "../content/keys.ts";
import { type DigestObject, listBlobs } from "./_walk.ts";

export type { MissingContent } from "./_missing.ts";

/** Options for {@linkcode verifyStore}. */
export interface VerifyOptions {
  /** Move corrupt blobs to `quarantine/<alg>/<hex>`. Defaults to false. */
  repair?: boolean;
  /** Called as verification moves through its phases. */
  onProgress?: (event: VerifyProgress) => void;
}

/** Where verification is: `done` of `total` steps of `phase`. */
export interface VerifyProgress {
  /** `blobs`: hashing the shared blobs; `references`: following every
   * repository's references. */
  phase: "blobs" | "references";
  /** Steps finished. */
  done: number;
  /** Steps in the phase. */
  total: number;
  /** Bytes hashed so far, in the `blobs` phase. */
  bytes?: number;
}

/** A blob whose bytes do not hash to its digest. */
export interface CorruptBlob {
  /** The digest the blob is stored under. */
  digest: string;
  /** Its storage key. */
  key: string;
  /** Its size in bytes. */
  size: number;
  /** The digest its bytes actually have. */
  actual: string;
  /** Where it was moved, when it was quarantined. */
  quarantinedAs?: string;
}

/** What verification found. */
export interface VerifyReport {
  /** True when nothing is corrupt and nothing is missing. */
  clean: boolean;
  /** Blobs read and hashed. */
  blobsChecked: number;
  /** Bytes read and hashed. */
  bytesChecked: number;
  /** Blobs whose bytes do not match their digest. */
  corrupt: CorruptBlob[];
  /** Broken references, found after any repair (so a quarantined blob
   * that something needs is listed here too). */
  missing: MissingContent[];
  /** Upload sessions in storage; they are not checked, and abandoned
   * ones are garbage collection's to remove. */
  uploadSessions: number;
  /** What could not be read or does not belong to the storage layout. */
  warnings: string[];
}

/** How many blobs are read and hashed at once. */
const concurrency = 4;

/**
 * Hashes every blob in `storage` and follows every reference, reporting
 * corrupt blobs and missing content; with `repair`, quarantines corrupt
 * blobs.
 *
 * @example Check a store
 * ```ts
 * import { MemoryStorage, verifyStore } from "../../mod.ts";
 *
 * const report = await verifyStore(new MemoryStorage());
 * console.log(report.clean); // true
 * ```
 */
export async function verifyStore(
  storage: Storage,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const warnings = new Set<string>();
  const warn = (message: string) => warnings.add(message);
  const progress = options.onProgress ?? (() => {});
  const report: VerifyReport = {
    clean: true,
    blobsChecked: 0,
    bytesChecked: 0,
    corrupt: [],
    missing: [],
    uploadSessions: 0,
    warnings: [],
  };

  const blobs = await listBlobs(storage, warn);
  let done = 0;
  await eachLimited(blobs, concurrency, async (blob) => {
    progress({
      phase: "blobs",
      done: done++,
      total: blobs.length,
      bytes: report.bytesChecked,
    });
    const corrupt = await checkBlob(storage, blob, report);
    if (!corrupt) return;
    if (options.repair) await quarantine(storage, blob, corrupt);
    report.corrupt.push(corrupt);
  });
  progress({
    phase: "blobs",
    done: blobs.length,
    total: blobs.length,
    bytes: report.bytesChecked,
  });

  // Read after any repair, so quarantined manifests count as missing.
  const reader = new ReferenceReader(storage);
  const repositories = await listRepositories(storage);
  for (const [index, repository] of repositories.entries()) {
    progress({ phase: "references", done: index, total: repositories.length });
    report.missing.push(
      ...await findMissing(storage, repository, reader, warn),
    );
  }
  progress({
    phase: "references",
    done: repositories.length,
    total: repositories.length,
  });

  report.uploadSessions = (await listUploadIds(storage)).length;
  report.corrupt.sort((a, b) => compare(a.key, b.key));
  report.missing.sort((a, b) =>
    compare(a.repository, b.repository) || compare(a.digest, b.digest) ||
    compare(a.referencedBy, b.referencedBy)
  );
  report.warnings = [...warnings];
  report.clean = report.corrupt.length === 0 && report.missing.length === 0;
  return report;
}

async function checkBlob(
  storage: Storage,
  blob: DigestObject,
  report: VerifyReport,
): Promise<CorruptBlob | undefined> {
  const hashed = await hashObject(storage, blob.key, blob.digest);
  // Removed since the listing, by garbage collection.
  if (!hashed) return undefined;
  report.blobsChecked++;
  report.bytesChecked += hashed.size;
  if (hashed.digest === blob.digest.value) return undefined;
  return {
    digest: blob.digest.value,
    key: blob.key,
    size: hashed.size,
    actual: hashed.digest,
  };
}

/**
 * Moves a corrupt blob aside, after hashing it once more: were it removed
 * and pushed again, whole, since the first check, it must stay.
 */
async function quarantine(
  storage: Storage,
  blob: DigestObject,
  corrupt: CorruptBlob,
): Promise<void> {
  const again = await hashObject(storage, blob.key, blob.digest);
  if (!again || again.digest === blob.digest.value) return;
  const target = quarantineKey(blob.digest);
  await storage.move(blob.key, target);
  corrupt.quarantinedAs = target;
}

async function hashObject(
  storage: Storage,
  key: string,
  digest: Digest,
): Promise<{ digest: string; size: number } | undefined> {
  const stream = await storage.read(key);
  if (!stream) return undefined;
  const hash = createHash(digest.algorithm);
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { digest: `${digest.algorithm}:${hash.digest("hex")}`, size };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
