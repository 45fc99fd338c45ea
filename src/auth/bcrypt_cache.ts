/**
 * Bcrypt password checks with a short-lived memory of successes. A bcrypt
 * check costs 50-100 ms of CPU by design, and registry clients send their
 * Basic credentials again on every request (a single `docker push` makes
 * dozens), so without this cache the password hash, not the disk or the
 * network, would bound the registry's throughput. Only successful checks
 * are remembered; a wrong password always pays the full price.
 *
 * @module
 */

import bcrypt from "bcryptjs";
import { createHash } from "node:crypto";

/** Options for {@linkcode BcryptCache}. */
export interface BcryptCacheOptions {
  /** How long a successful check is remembered, in seconds. Defaults to
   * 60. A password removed from the user list stops working at once
   * regardless, because the stored hash is part of the cache key. */
  ttl?: number;
  /** Most remembered checks; the oldest is forgotten first. Defaults to
   * 10000. */
  maxEntries?: number;
  /** The clock, in milliseconds. */
  now?: () => number;
}

/**
 * Checks passwords against bcrypt hashes, remembering successes briefly.
 *
 * @example
 * ```ts
 * import bcrypt from "bcryptjs";
 * import { BcryptCache } from "./bcrypt_cache.ts";
 *
 * const hash = bcrypt.hashSync("s3cret", 4);
 * const cache = new BcryptCache();
 * console.log(await cache.verify("alice", "s3cret", hash)); // true (slow)
 * console.log(await cache.verify("alice", "s3cret", hash)); // true (fast)
 * ```
 */
export class BcryptCache {
  readonly #ttl: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  // Keyed by a SHA-256 of user, hash and password, so no password is kept
  // in memory in the clear; the value is when the entry expires.
  readonly #verified = new Map<string, number>();

  /** Creates an empty cache. */
  constructor(options: BcryptCacheOptions = {}) {
    this.#ttl = (options.ttl ?? 60) * 1000;
    this.#maxEntries = options.maxEntries ?? 10000;
    this.#now = options.now ?? Date.now;
  }

  /** Whether `password` matches the bcrypt `hash` stored for `user`. */
  async verify(user: string, password: string, hash: string): Promise<boolean> {
    // User names and hashes never hold a newline, so the key is unambiguous.
    const key = createHash("sha256")
      .update(`${user}\n${hash}\n${password}`, "utf8")
      .digest("hex");
    const expires = this.#verified.get(key);
    if (expires !== undefined && expires > this.#now()) return true;
    this.#verified.delete(key);

    if (!await bcrypt.compare(password, hash)) return false;
    if (this.#verified.size >= this.#maxEntries) {
      this.#verified.delete(this.#verified.keys().next().value!);
    }
    this.#verified.set(key, this.#now() + this.#ttl);
    return true;
  }
}
