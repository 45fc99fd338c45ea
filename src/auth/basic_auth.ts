/**
 * The shared shape of the authenticators that take HTTP Basic credentials
 * (the user table, the master password and htpasswd files): read the
 * header, check the credentials, and refuse wrong ones with a challenge
 * rather than falling back to anonymous access.
 *
 * Registry clients send credentials only to a registry that challenged
 * them at `GET /v2/`: when that answers 200, `docker`, `podman` and
 * `skopeo` push without credentials and fail, even after a successful
 * `login`. So `GET /v2/` is open to anonymous callers only when logging in
 * would gain them nothing. The price is that Docker will not pull
 * anonymously from a registry that challenges with `Basic` (it stops with
 * "no basic auth credentials"); token auth, which hands out anonymous
 * tokens, serves both kinds of client.
 *
 * Repeated wrong passwords for one user name are refused for a while with
 * 429 (see `login_limiter.ts`), before any password is checked, so
 * guessing a password costs minutes rather than bcrypt time.
 *
 * @module
 */

import { RegistryError } from "../protocol/errors.ts";
import { parseBasicAuthorization } from "./basic_header.ts";
import { formatChallenge } from "./challenge.ts";
import { LoginLimiter } from "./login_limiter.ts";
import type { Action, Auth, Awaitable, Identity } from "./types.ts";

/** What a Basic authenticator is made of. */
export interface BasicAuthParts {
  /** Sent in the challenge; defaults to `registry`. */
  realm?: string;
  /** The identity `user` gets with `password`, or `undefined` when the
   * credentials are wrong. */
  verify(user: string, password: string): Awaitable<Identity | undefined>;
  /** The actions `identity` may perform on `repository`. */
  permissions(
    identity: Identity | undefined,
    repository: string,
  ): Awaitable<Iterable<Action>>;
  /** Whether `GET /v2/` may answer anonymous callers without a
   * challenge; see {@linkcode loginGainsNothing}. */
  anonymousBase: boolean;
  /** Whether `identity` may list the whole catalog. */
  catalog?(identity: Identity | undefined): Awaitable<boolean>;
}

/** Builds an {@linkcode Auth} that checks Basic credentials with `parts`. */
export function basicAuth(parts: BasicAuthParts): Auth {
  const challenge = formatChallenge("Basic", {
    realm: parts.realm ?? "registry",
  });
  const limiter = new LoginLimiter();
  const auth: Auth = {
    async authenticate(request) {
      const header = request.headers.get("Authorization");
      const credentials = parseBasicAuthorization(header, challenge);
      // Clients built on containers/image (podman, skopeo, buildah) answer
      // a Basic challenge with an empty user and password when they have
      // no credentials; that is an anonymous request, not a failed login.
      if (!credentials) return undefined;
      if (credentials.user === "" && credentials.password === "") {
        return undefined;
      }
      const wait = limiter.retryAfter(credentials.user);
      if (wait !== undefined) {
        throw new RegistryError("TOOMANYREQUESTS", "too many failed logins", {
          headers: { "Retry-After": String(wait) },
        });
      }
      const identity = await parts.verify(
        credentials.user,
        credentials.password,
      );
      if (identity) return identity;
      limiter.fail(credentials.user);
      throw new RegistryError("UNAUTHORIZED", "invalid user name or password", {
        headers: { "WWW-Authenticate": challenge },
      });
    },
    permissions: parts.permissions,
    challenge: () => challenge,
    anonymousBase: parts.anonymousBase,
  };
  if (parts.catalog) auth.catalog = parts.catalog;
  return auth;
}

/**
 * Whether anonymous callers may already do every action in `granted`, so
 * that `GET /v2/` can stay open without keeping anyone from sending
 * credentials they would need.
 */
export function loginGainsNothing(
  anonymous: readonly Action[],
  granted: Iterable<readonly Action[]>,
): boolean {
  if (anonymous.length === 0) return false;
  for (const actions of granted) {
    if (actions.some((action) => !anonymous.includes(action))) return false;
  }
  return true;
}

/** Checks a list of actions from configuration, naming the bad value. */
export function parseActions(value: unknown, where: string): Action[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${where}: expected a list of actions`);
  }
  for (const [index, action] of value.entries()) {
    if (action !== "pull" && action !== "push" && action !== "delete") {
      throw new TypeError(
        `${where}[${index}]: unknown action '${action}'; ` +
          "expected pull, push or delete",
      );
    }
  }
  return [...new Set(value as Action[])];
}

/** Every action, as granted to a fully trusted caller. */
export const allActions: readonly Action[] = ["pull", "push", "delete"];
