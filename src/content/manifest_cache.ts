/**
 * Manifest bytes by digest, kept in memory by one registry instance.
 * Content-addressed bytes never change, so a cached copy is always right;
 * whether the manifest is still in a repository is read from storage on
 * every request, so a delete is seen at once by every instance.
 *
 * @module
 */

/**
 * Bytes kept at most; the least recently used manifests go first. Most
 * manifests are under 4 KiB, so this holds thousands, while the cache
 * and the bookkeeping for each entry stay a small part of a server that
 * should run in 150 MiB.
 */
const defaultMaxBytes = 16 * 1024 * 1024;

/** A bounded, least-recently-used map from digest to manifest bytes. */
export class ManifestCache {
  #entries = new Map<string, Uint8Array<ArrayBuffer>>();
  #bytes = 0;
  #maxBytes: number;

  constructor(maxBytes = defaultMaxBytes) {
    this.#maxBytes = maxBytes;
  }

  /** The bytes of `digest`, if cached. */
  get(digest: string): Uint8Array<ArrayBuffer> | undefined {
    const bytes = this.#entries.get(digest);
    if (bytes) {
      this.#entries.delete(digest);
      this.#entries.set(digest, bytes);
    }
    return bytes;
  }

  /** Keeps the bytes of `digest`, dropping the least recently used. */
  set(digest: string, bytes: Uint8Array<ArrayBuffer>): void {
    if (bytes.byteLength > this.#maxBytes || this.#entries.has(digest)) return;
    this.#entries.set(digest, bytes);
    this.#bytes += bytes.byteLength;
    for (const [oldest, old] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= old.byteLength;
    }
  }
}
