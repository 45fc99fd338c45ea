/**
 * The auth of an open registry: no credentials are checked and every
 * caller, anonymous or not, may pull, push and delete. This is the
 * registry's default, meant for local development and private networks.
 *
 * @module
 */

import type { Action, Auth } from "./types.ts";

const everything: readonly Action[] = ["pull", "push", "delete"];

/**
 * An auth that lets everyone do everything. Credentials a client sends
 * anyway are ignored, so `docker login` against an open registry works.
 *
 * @example
 * ```ts
 * import { allowAll } from "./open.ts";
 *
 * const auth = allowAll();
 * console.log([...await auth.permissions(undefined, "library/alpine")]);
 * // ["pull", "push", "delete"]
 * ```
 */
export function allowAll(): Auth {
  return {
    authenticate: () => undefined,
    permissions: () => everything,
    challenge: () => 'Basic realm="registry"',
    anonymousBase: true,
    catalog: () => true,
  };
}
