/**
 * Reads the credentials of HTTP Basic authentication (RFC 7617) from an
 * `Authorization` header: base64 of the UTF-8 `user:password`, split at the
 * first colon, since a user name cannot hold one but a password can.
 *
 * @module
 */

import { RegistryError } from "../protocol/errors.ts";

/** A user name and password sent with Basic authentication. */
export interface BasicCredentials {
  /** The user name, before the first colon. */
  user: string;
  /** The password, after the first colon; it may contain colons. */
  password: string;
}

const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The credentials in an `Authorization` header value, or `undefined` when
 * there is no header. A header of another scheme, or a malformed Basic
 * header, throws `UNAUTHORIZED`: credentials that cannot be read must never
 * be treated as an anonymous request. `challenge`, when given, is sent
 * back as `WWW-Authenticate` with that error.
 *
 * @example
 * ```ts
 * import { parseBasicAuthorization } from "./basic_header.ts";
 *
 * const header = "Basic " + btoa("alice:pa:ss");
 * parseBasicAuthorization(header); // { user: "alice", password: "pa:ss" }
 * parseBasicAuthorization(null); // undefined
 * ```
 */
export function parseBasicAuthorization(
  header: string | null,
  challenge?: string,
): BasicCredentials | undefined {
  if (header === null || header.trim() === "") return undefined;
  const refuse = (message: string) =>
    new RegistryError("UNAUTHORIZED", message, {
      headers: challenge ? { "WWW-Authenticate": challenge } : undefined,
    });

  const [scheme, encoded, ...rest] = header.trim().split(/\s+/);
  if (scheme.toLowerCase() !== "basic") {
    throw refuse(`unsupported authorization scheme '${scheme.slice(0, 20)}'`);
  }
  if (encoded === undefined || rest.length > 0 || !base64.test(encoded)) {
    throw refuse("malformed Basic authorization header");
  }

  let decoded: string;
  try {
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    decoded = utf8.decode(bytes);
  } catch {
    throw refuse("malformed Basic authorization header");
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw refuse("Basic credentials lack a ':' separator");
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The `Authorization` header value that sends `user` and `password`. */
export function formatBasicAuthorization(
  user: string,
  password: string,
): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return "Basic " + btoa(String.fromCharCode(...bytes));
}
