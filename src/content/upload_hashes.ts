/**
 * The running hashes of upload sessions, kept by one registry instance in
 * memory. They only save reading a session back when it completes: a
 * session whose hash is not here (another instance took a chunk, or the
 * process restarted) is hashed again from storage, so losing this cache
 * never loses an upload.
 *
 * @module
 */

import { Hasher } from "../protocol/digest.ts";
import type { DigestAlgorithm } from "../protocol/names.ts";

/** Sessions whose hash is kept at most; abandoned sessions cannot grow the
 * cache past this, the oldest are dropped first. */
const maxSessions = 1024;

/** Running hashes by upload session id. */
export class UploadHashes {
  #hashers = new Map<string, Hasher>();

  /**
   * The hasher to continue a session at `offset`: the cached one when it
   * has seen exactly `offset` bytes, a fresh one for a session's first
   * bytes, otherwise `undefined` (the digest is then computed from
   * storage). The hasher leaves the cache until {@linkcode keep} returns
   * it, so a failed chunk cannot leave a hash of bytes never stored.
   */
  take(
    id: string,
    offset: number,
    algorithm: DigestAlgorithm,
  ): Hasher | undefined {
    const cached = this.#hashers.get(id);
    this.#hashers.delete(id);
    if (cached && cached.size === offset) return cached;
    return offset === 0 ? new Hasher(algorithm) : undefined;
  }

  /** Keeps a hasher that has seen every byte the session holds. */
  keep(id: string, hasher: Hasher): void {
    if (this.#hashers.size >= maxSessions) {
      this.#hashers.delete(this.#hashers.keys().next().value!);
    }
    this.#hashers.set(id, hasher);
  }

  /** The digest of a session's `size` bytes in `algorithm`, if known. */
  digest(
    id: string,
    algorithm: DigestAlgorithm,
    size: number,
  ): string | undefined {
    const cached = this.#hashers.get(id);
    if (cached?.algorithm !== algorithm || cached.size !== size) {
      return undefined;
    }
    return cached.digest();
  }

  /** Forgets a session. */
  forget(id: string): void {
    this.#hashers.delete(id);
  }
}
