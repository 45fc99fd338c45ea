/**
 * The auth interface: who sent a request, and what they may do on a
 * repository. An auth object is a plain object; every method may answer
 * synchronously or with a promise. The registry calls `authenticate` once
 * per request and `permissions` once per repository the request touches.
 *
 * @module
 */

/** Something the registry may return synchronously or as a promise. */
export type Awaitable<T> = T | Promise<T>;

/** What a caller may do on a repository. `delete` covers manifest, tag and
 * blob deletion. */
export type Action = "pull" | "push" | "delete";

/** An authenticated caller. Auth implementations may carry more fields,
 * such as the grants of a bearer token. */
export interface Identity {
  /** The user name, as logged. */
  name: string;
  /** Groups the user belongs to, for access policies. */
  groups?: readonly string[];
  /** Set when the identity came from a bearer token; its `permissions`
   * then come from the token's grants. */
  grants?: readonly Grant[];
}

/** One access grant of a bearer token, as in its `access` claim. */
export interface Grant {
  /** `repository` or `registry`. */
  type: string;
  /** The repository name, or `catalog`. */
  name: string;
  /** The granted actions, such as `pull`, `push`, `delete` or `*`. */
  actions: readonly string[];
}

/** The access a refused request needed, used to build the challenge. */
export interface Scope {
  /** `repository` or `registry`. */
  type: "repository" | "registry";
  /** The repository name, or `catalog`. */
  name: string;
  /** The actions needed. */
  actions: readonly string[];
}

/**
 * Decides who a caller is and what they may do.
 *
 * @example Everyone may pull, only alice may push
 * ```ts
 * import type { Auth } from "../../mod.ts";
 *
 * const auth: Auth = {
 *   authenticate: (request) =>
 *     request.headers.get("x-user") === "alice" ? { name: "alice" } : undefined,
 *   permissions: (identity) =>
 *     identity ? ["pull", "push", "delete"] : ["pull"],
 *   challenge: () => 'Basic realm="registry"',
 * };
 * ```
 */
export interface Auth {
  /**
   * The caller's identity, or `undefined` for an anonymous caller. Throws a
   * `RegistryError` with code `UNAUTHORIZED` when credentials are present
   * but wrong, so that a typo never silently turns into anonymous access.
   */
  authenticate(request: Request): Awaitable<Identity | undefined>;

  /** The actions `identity` may perform on `repository`. */
  permissions(
    identity: Identity | undefined,
    repository: string,
  ): Awaitable<Iterable<Action>>;

  /**
   * The `WWW-Authenticate` header value for a request that was refused
   * for lack of credentials; `scope` names what it needed, when known.
   */
  challenge(request: Request, scope?: Scope): Awaitable<string>;

  /**
   * Whether an anonymous caller may use `GET /v2/`. Registries that
   * require a login answer 401 there, which is how clients learn to send
   * credentials. Defaults to true.
   */
  anonymousBase?: boolean;

  /**
   * Whether `identity` may list the whole catalog; when absent the catalog
   * shows the repositories the caller may pull.
   */
  catalog?(identity: Identity | undefined): Awaitable<boolean>;

  /**
   * Serves requests outside `/v2/`, such as a token endpoint; `undefined`
   * lets the registry answer instead.
   */
  handle?(request: Request): Awaitable<Response | undefined>;
}
