/**
 * The scope strings of the Docker token protocol, such as
 * `repository:team/app:pull,push` or `registry:catalog:*`. A repository
 * name holds no colon but may hold slashes, so a scope is split at its
 * first and last colon. The optional resource class of the protocol
 * (`repository(plugin):name:pull`) is accepted and dropped.
 *
 * @module
 */

import { clip, RegistryError } from "../protocol/errors.ts";
import { isRepositoryName } from "../protocol/names.ts";
import type { Scope } from "./types.ts";

/**
 * Parses one scope. A malformed scope, an unknown resource type or an
 * invalid repository name throws a 400 `RegistryError`.
 *
 * @example
 * ```ts
 * import { parseScope } from "./scope.ts";
 *
 * parseScope("repository:team/app:pull,push");
 * // { type: "repository", name: "team/app", actions: ["pull", "push"] }
 * ```
 */
export function parseScope(text: string): Scope {
  const first = text.indexOf(":");
  const last = text.lastIndexOf(":");
  const type = text.slice(0, first).replace(/\([a-z0-9]+\)$/, "");
  const name = text.slice(first + 1, last);
  const actions = text.slice(last + 1).split(",").filter((a) => a !== "");
  const invalid = (why: string) =>
    new RegistryError("UNSUPPORTED", `invalid scope '${clip(text)}': ${why}`, {
      status: 400,
    });

  if (first < 0 || first === last || actions.length === 0) {
    throw invalid("expected type:name:actions");
  }
  if (type === "repository") {
    if (!isRepositoryName(name)) {
      throw new RegistryError(
        "NAME_INVALID",
        `invalid repository name '${clip(name)}' in scope`,
      );
    }
    return { type, name, actions };
  }
  if (type === "registry") {
    if (name !== "catalog") throw invalid("the only registry scope is catalog");
    return { type, name, actions };
  }
  throw invalid(`unknown resource type '${clip(type)}'`);
}

/**
 * The text form of a scope, as put in a `WWW-Authenticate` challenge.
 *
 * @example
 * ```ts
 * import { formatScope } from "./scope.ts";
 *
 * formatScope({ type: "repository", name: "app", actions: ["pull"] });
 * // "repository:app:pull"
 * ```
 */
export function formatScope(scope: Scope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(",")}`;
}
