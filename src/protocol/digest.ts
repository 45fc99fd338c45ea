/**
 * Hashing of streamed bytes. Blob bodies are hashed as they flow to
 * storage, so a blob is read once; `node:crypto` is used because Web
 * Crypto cannot hash incrementally.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import type { DigestAlgorithm } from "./names.ts";

/** An incremental hash over bytes seen so far. */
export class Hasher {
  readonly algorithm: DigestAlgorithm;
  #hash: Hash;
  #size = 0;

  constructor(algorithm: DigestAlgorithm, hash?: Hash, size = 0) {
    this.algorithm = algorithm;
    this.#hash = hash ?? createHash(algorithm);
    this.#size = size;
  }

  /** Bytes hashed so far. */
  get size(): number {
    return this.#size;
  }

  /** Adds bytes. */
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#size += chunk.byteLength;
  }

  /** An independent copy, so hashing can go on after a digest is taken. */
  copy(): Hasher {
    return new Hasher(this.algorithm, this.#hash.copy(), this.#size);
  }

  /** The digest of the bytes so far, as `algorithm:hex`. Leaves this hasher
   * usable by digesting a copy. */
  digest(): string {
    return `${this.algorithm}:${this.#hash.copy().digest("hex")}`;
  }

  /** A pass-through stream that hashes every chunk. */
  tap(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream({
      transform: (chunk, controller) => {
        this.update(chunk);
        controller.enqueue(chunk);
      },
    });
  }
}

/** The digest of a whole byte array. */
export function digestBytes(
  bytes: Uint8Array,
  algorithm: DigestAlgorithm = "sha256",
): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}
