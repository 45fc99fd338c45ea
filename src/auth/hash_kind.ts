/**
 * Tells which kind of password hash a stored string is. Only bcrypt is
 * accepted: the other kinds `htpasswd` can write (MD5 `$apr1$`, SHA-1
 * `{SHA}`, `crypt` and plain text) are fast to brute-force, so rather than
 * support them the registry names them and asks for `htpasswd -B`.
 *
 * @module
 */

const bcryptPattern = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/**
 * `undefined` when `hash` is a bcrypt hash, otherwise a short description
 * of what it is instead, for an error message.
 *
 * @example
 * ```ts
 * import { unsupportedHashKind } from "./hash_kind.ts";
 *
 * unsupportedHashKind("$apr1$abc$def"); // "an MD5 ($apr1$) hash"
 * ```
 */
export function unsupportedHashKind(hash: string): string | undefined {
  if (bcryptPattern.test(hash)) return undefined;
  if (hash.startsWith("$2")) return "a malformed bcrypt hash";
  if (hash.startsWith("$apr1$")) return "an MD5 ($apr1$) hash";
  if (hash.startsWith("{SHA}")) return "a SHA-1 ({SHA}) hash";
  if (/^\$[156]\$/.test(hash)) return "a crypt(3) hash";
  if (/^[./A-Za-z0-9]{13}$/.test(hash)) return "a DES crypt hash";
  return "a plain-text password or unknown hash";
}
