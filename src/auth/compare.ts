/**
 * Constant-time comparison of secrets. Comparing a password with `===`
 * stops at the first differing character, so response timing tells an
 * attacker how much of a guess was right. Both strings are hashed first so
 * that the comparison always runs over 32 bytes and even the length of the
 * secret stays hidden.
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether `a` and `b` are equal, in time that depends on neither their
 * contents nor their lengths.
 *
 * @example Check a presented password
 * ```ts
 * import { constantTimeEqual } from "./compare.ts";
 *
 * console.log(constantTimeEqual("s3cret", "s3cret")); // true
 * console.log(constantTimeEqual("s3cret", "guess")); // false
 * ```
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** The SHA-256 of the UTF-8 bytes of `text`. */
export function sha256(text: string): Uint8Array {
  return createHash("sha256").update(text, "utf8").digest();
}
