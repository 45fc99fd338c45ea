/**
 * Builds `WWW-Authenticate` header values. Parameter values are quoted
 * strings (RFC 9110, section 11.2), so a realm or scope holding a quote or
 * backslash is escaped rather than allowed to end the string early.
 *
 * @module
 */

/**
 * A challenge such as `Bearer realm="...",service="..."`; parameters whose
 * value is `undefined` are left out.
 *
 * @example
 * ```ts
 * import { formatChallenge } from "./challenge.ts";
 *
 * formatChallenge("Basic", { realm: "registry" }); // 'Basic realm="registry"'
 * ```
 */
export function formatChallenge(
  scheme: string,
  parameters: Record<string, string | undefined>,
): string {
  const pairs = Object.entries(parameters)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}="${value!.replace(/["\\]/g, "\\$&")}"`);
  return `${scheme} ${pairs.join(",")}`;
}
