/**
 * @module
 * The content the benchmark pushes: one large blob written once to a file
 * (and hashed once, while it is written), and sets of small in-memory blobs.
 * Contents are pseudo-random and every megabyte differs, so no layer of the
 * stack can win by compressing or deduplicating them.
 */

import { createHash } from "node:crypto";

/** A blob stored in a file, with its digest. */
export interface BlobFile {
  /** Absolute path of the file. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** `sha256:<hex>` of the content. */
  digest: string;
}

/** A small blob held in memory, with its digest. */
export interface SmallBlob {
  /** The content. */
  bytes: Uint8Array;
  /** `sha256:<hex>` of the content. */
  digest: string;
}

const MIB = 1024 * 1024;

/** Writes `size` bytes (a whole number of MiB) to `path` and hashes them. */
export async function writeBlobFile(
  path: string,
  size: number,
): Promise<BlobFile> {
  const block = randomBytes(MIB);
  const hash = createHash("sha256");
  const file = await Deno.open(path, { write: true, create: true });
  try {
    for (let index = 0; index * MIB < size; index++) {
      // Stamping the block number makes every megabyte distinct.
      new DataView(block.buffer).setFloat64(0, index);
      hash.update(block);
      let written = 0;
      while (written < block.length) {
        written += await file.write(block.subarray(written));
      }
    }
  } finally {
    file.close();
  }
  return { path, size, digest: `sha256:${hash.digest("hex")}` };
}

/** Makes `count` distinct blobs of `size` bytes; `seed` keeps sets apart. */
export function makeSmallBlobs(
  count: number,
  size: number,
  seed: number,
): SmallBlob[] {
  const blobs: SmallBlob[] = [];
  for (let index = 0; index < count; index++) {
    const bytes = randomBytes(size);
    new DataView(bytes.buffer).setFloat64(0, seed);
    new DataView(bytes.buffer).setFloat64(8, index);
    blobs.push({ bytes, digest: sha256(bytes) });
  }
  return blobs;
}

/** Returns `sha256:<hex>` of `bytes`. */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  // getRandomValues fills at most 64 KiB per call.
  for (let offset = 0; offset < size; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, offset + 65536));
  }
  return bytes;
}
