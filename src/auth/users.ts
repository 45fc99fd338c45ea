/**
 * Authenticators with their users written into the configuration: a
 * fixed user table, and the single-master-password mode where anyone
 * holding the password has full access. Both take HTTP Basic credentials,
 * which registry clients send with every request after `docker login`.
 *
 * @module
 */

import {
  allActions,
  basicAuth,
  loginGainsNothing,
  parseActions,
} from "./basic_auth.ts";
import { BcryptCache } from "./bcrypt_cache.ts";
import { constantTimeEqual } from "./compare.ts";
import { unsupportedHashKind } from "./hash_kind.ts";
import { compilePolicy, openBase, type Policy } from "./policy.ts";
import type { Action, Auth, Identity } from "./types.ts";

/** One user of a {@linkcode userTable}. Give exactly one of `password`
 * and `passwordHash`. */
export interface UserEntry {
  /** The password in the clear. */
  password?: string;
  /** A bcrypt hash of the password, as `htpasswd -B` writes it. */
  passwordHash?: string;
  /** What the user may do on every repository; defaults to everything.
   * Not allowed together with a policy, which decides instead. */
  permissions?: readonly Action[];
  /** Groups the user belongs to, for the policy. */
  groups?: readonly string[];
}

/** Options for {@linkcode userTable}. */
export interface UserTableOptions {
  /** The users, by name. */
  users: Readonly<Record<string, UserEntry>>;
  /** What callers without credentials may do; defaults to nothing. Not
   * allowed together with a policy, which decides instead. */
  anonymous?: readonly Action[];
  /** The realm of the `Basic` challenge; defaults to `registry`. */
  realm?: string;
  /** An access policy deciding per repository what each caller may do. */
  policy?: Policy;
  /** Seconds a successful bcrypt check is remembered; defaults to 60. */
  cacheTtl?: number;
}

/**
 * An auth with a fixed table of users. Wrong credentials are refused with
 * 401 and a `Basic` challenge, never downgraded to anonymous access.
 *
 * @example Alice pushes, everyone pulls
 * ```ts
 * import { userTable } from "./users.ts";
 *
 * const auth = userTable({
 *   users: { alice: { password: "s3cret" } },
 *   anonymous: ["pull"],
 * });
 * ```
 */
export function userTable(options: UserTableOptions): Auth {
  const users = checkUsers(options.users);
  const policy = options.policy && compilePolicy(options.policy);
  if (policy && options.anonymous) {
    throw new TypeError(
      "anonymous: not allowed with a policy; give anonymous callers access " +
        "with a policy rule that has anonymous: true",
    );
  }
  const anonymous = parseActions(options.anonymous ?? [], "anonymous");
  const cache = new BcryptCache({ ttl: options.cacheTtl });

  const permissions = (identity: Identity | undefined) =>
    identity ? users.get(identity.name)?.permissions ?? allActions : anonymous;
  return basicAuth({
    realm: options.realm,
    async verify(name, password) {
      const user = users.get(name);
      // An unknown user is refused at once, so response timing can tell
      // whether a user name exists; passwords stay safe.
      if (!user) return undefined;
      const valid = user.passwordHash === undefined
        ? constantTimeEqual(password, user.password!)
        : await cache.verify(name, password, user.passwordHash);
      if (!valid) return undefined;
      return user.groups ? { name, groups: user.groups } : { name };
    },
    ...policy
      ? {
        permissions: policy.permissions,
        anonymousBase: openBase(policy),
      }
      : {
        permissions,
        anonymousBase: loginGainsNothing(
          anonymous,
          [...users.values()].map((user) => user.permissions ?? allActions),
        ),
        catalog: (identity) => permissions(identity).includes("pull"),
      },
  });

  function checkUsers(table: UserTableOptions["users"]) {
    const checked = new Map<string, UserEntry>();
    for (const [name, user] of Object.entries(table)) {
      const where = `users.${name}`;
      if (typeof user !== "object" || user === null) {
        throw new TypeError(`${where}: expected an object`);
      }
      if (name === "" || name.includes(":")) {
        throw new TypeError(`${where}: a user name must be non-empty, no ':'`);
      }
      if ((user.password === undefined) === (user.passwordHash === undefined)) {
        throw new TypeError(
          `${where}: give exactly one of password and passwordHash`,
        );
      }
      if (user.password === "") {
        throw new TypeError(`${where}: empty password`);
      }
      const kind = user.passwordHash && unsupportedHashKind(user.passwordHash);
      if (kind) {
        throw new TypeError(
          `${where}.passwordHash: ${kind}; only bcrypt is supported`,
        );
      }
      if (user.permissions && options.policy) {
        throw new TypeError(`${where}.permissions: not allowed with a policy`);
      }
      checked.set(name, {
        ...user,
        permissions: user.permissions &&
          parseActions(user.permissions, `${where}.permissions`),
      });
    }
    return checked;
  }
}

/** Options for {@linkcode anonymousWithMaster}. */
export interface MasterPasswordOptions {
  /** What callers without credentials may do, such as `["pull"]` or
   * nothing at all (`[]`). */
  anonymous: readonly Action[];
  /** The master password; must not be empty. */
  password: string;
  /** The only user name accepted with the password; by default any. */
  user?: string;
  /** The realm of the `Basic` challenge; defaults to `registry`. */
  realm?: string;
}

/**
 * An auth with one master password: anonymous callers get `anonymous`,
 * and a caller presenting the password (with any user name, or with
 * `user` when set) may do everything, on every kind of request.
 *
 * @example Public pulls, pushes with the password
 * ```ts
 * import { anonymousWithMaster } from "./users.ts";
 *
 * const auth = anonymousWithMaster({ anonymous: ["pull"], password: "s3cret" });
 * ```
 */
export function anonymousWithMaster(options: MasterPasswordOptions): Auth {
  if (typeof options.password !== "string" || options.password === "") {
    throw new TypeError("password: the master password must not be empty");
  }
  const anonymous = parseActions(options.anonymous, "anonymous");
  const permissions = (identity: Identity | undefined) =>
    identity ? allActions : anonymous;

  return basicAuth({
    realm: options.realm,
    verify(user, password) {
      // Both comparisons always run, so timing tells nothing about which
      // of the two was wrong.
      const userMatches = options.user === undefined ||
        constantTimeEqual(user, options.user);
      const passwordMatches = constantTimeEqual(password, options.password);
      return userMatches && passwordMatches ? { name: user } : undefined;
    },
    permissions,
    anonymousBase: loginGainsNothing(anonymous, [allActions]),
    catalog: (identity) => permissions(identity).includes("pull"),
  });
}
