/**
 * Users from an htpasswd file, as written by `htpasswd -B`. The file is
 * read through an injected `load` function, so the module runs on any
 * runtime (the command-line server passes `() => Deno.readTextFile(path)`),
 * and it is read again from time to time so that added, removed or changed
 * users take effect without a restart.
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
import { unsupportedHashKind } from "./hash_kind.ts";
import { compilePolicy, openBase, type Policy } from "./policy.ts";
import type { Action, Auth } from "./types.ts";

/**
 * The users and bcrypt hashes of an htpasswd file. Blank lines and lines
 * starting with `#` are skipped. Any other kind of hash, a line without a
 * `:` or a user listed twice throws an `Error` naming the line and user.
 *
 * @example
 * ```ts
 * import { parseHtpasswd } from "./htpasswd.ts";
 *
 * const users = parseHtpasswd(
 *   "alice:$2y$05$i.FModIKUBiG.1Hw.sZAL.6YajeG/L4YbjwPoqwWtyKAH5wTdw5jG\n",
 * );
 * console.log([...users.keys()]); // ["alice"]
 * ```
 */
export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const where = `htpasswd line ${index + 1}`;

    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`${where}: expected 'user:hash'`);
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    const kind = unsupportedHashKind(hash);
    if (kind) {
      throw new Error(
        `${where} (user '${user}'): ${kind} is not supported; ` +
          "only bcrypt is (create entries with htpasswd -B)",
      );
    }
    if (users.has(user)) {
      throw new Error(`${where}: user '${user}' is listed twice`);
    }
    users.set(user, hash);
  }
  return users;
}

/** Options for {@linkcode htpasswd}. */
export interface HtpasswdOptions {
  /** Reads the file's text. */
  load: () => Promise<string>;
  /** Least number of seconds between two reads of the file; defaults to
   * 30. With 0 the file is read on every request. */
  reloadInterval?: number;
  /** What callers without credentials may do; defaults to nothing. Not
   * allowed together with a policy, which decides instead. */
  anonymous?: readonly Action[];
  /** What every user may do on every repository; defaults to everything.
   * Not allowed together with a policy. */
  permissions?: readonly Action[];
  /** An access policy deciding per repository what each caller may do;
   * group memberships come from its `groups`. */
  policy?: Policy;
  /** The realm of the `Basic` challenge; defaults to `registry`. */
  realm?: string;
  /** Seconds a successful bcrypt check is remembered; defaults to 60. */
  cacheTtl?: number;
  /** Told when a later read of the file fails or finds it invalid; the
   * users read before stay in force. */
  onReloadError?: (error: unknown) => void;
}

/**
 * An auth whose users come from an htpasswd file. The first read happens
 * here, so a missing or invalid file fails at start-up.
 *
 * @example
 * ```ts
 * import { htpasswd } from "./htpasswd.ts";
 *
 * const auth = await htpasswd({
 *   load: () => Deno.readTextFile("/etc/registry/htpasswd"),
 *   anonymous: ["pull"],
 * });
 * ```
 */
export async function htpasswd(options: HtpasswdOptions): Promise<Auth> {
  const policy = options.policy && compilePolicy(options.policy);
  if (policy && (options.anonymous || options.permissions)) {
    throw new TypeError(
      "anonymous and permissions: not allowed with a policy, which decides " +
        "what callers may do",
    );
  }
  const anonymous = parseActions(options.anonymous ?? [], "anonymous");
  const granted = options.permissions
    ? parseActions(options.permissions, "permissions")
    : allActions;
  const interval = (options.reloadInterval ?? 30) * 1000;
  const cache = new BcryptCache({ ttl: options.cacheTtl });

  let text = await options.load();
  let users = parseHtpasswd(text);
  let readAt = Date.now();
  let reading: Promise<void> | undefined;

  async function reload() {
    // Set before reading, so a failing file is retried once per interval
    // rather than on every request.
    readAt = Date.now();
    try {
      const next = await options.load();
      if (next !== text) {
        users = parseHtpasswd(next);
        text = next;
      }
    } catch (error) {
      options.onReloadError?.(error);
    }
  }

  async function currentUsers() {
    if (Date.now() - readAt >= interval) {
      reading ??= reload().finally(() => reading = undefined);
      await reading;
    }
    return users;
  }

  return basicAuth({
    realm: options.realm,
    async verify(user, password) {
      const hash = (await currentUsers()).get(user);
      // An unknown user is refused without a bcrypt check, so response
      // timing can tell whether a user name exists; passwords stay safe.
      if (hash === undefined) return undefined;
      return await cache.verify(user, password, hash)
        ? { name: user }
        : undefined;
    },
    ...policy
      ? {
        permissions: policy.permissions,
        anonymousBase: openBase(policy),
      }
      : {
        permissions: (identity) => identity ? granted : anonymous,
        anonymousBase: loginGainsNothing(anonymous, [granted]),
        catalog: (identity) =>
          (identity ? granted : anonymous).includes("pull"),
      },
  });
}
