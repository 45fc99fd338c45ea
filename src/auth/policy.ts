/**
 * Access policies: which callers may do what on which repositories,
 * written as an ordered list of rules (usually loaded from a JSON file).
 * A policy is checked and compiled once, so a typo in the file fails at
 * start-up with a message naming the bad entry, and each request only
 * runs precompiled pattern matches.
 *
 * @module
 */

import { parseActions } from "./basic_auth.ts";
import type { Action, Auth, Identity } from "./types.ts";

/**
 * One rule of a {@linkcode Policy}.
 *
 * A rule applies to a caller when one of its repository patterns matches
 * and the caller is one of its subjects: a user in `users`, a member of
 * one of `groups`, or, with `anonymous: true`, a caller without
 * credentials. A rule with neither `users` nor `groups` applies to every
 * authenticated caller (and to anonymous ones too with `anonymous: true`).
 */
export interface PolicyRule {
  /** Repository patterns: an exact name, or a pattern where `*` matches
   * any run of characters, `/` included, so `team-a/*` covers
   * `team-a/app` and `team-a/tools/app` (but not `team-a`), and `*` covers
   * every repository. */
  repositories: string | readonly string[];
  /** User names the rule applies to. */
  users?: readonly string[];
  /** Groups the rule applies to. */
  groups?: readonly string[];
  /** Whether the rule applies to callers without credentials. */
  anonymous?: boolean;
  /** What the rule allows; an empty list denies. */
  actions: readonly Action[];
}

/**
 * An access policy. For each repository the first rule that applies to
 * the caller decides, and later rules are not consulted; when no rule
 * applies, the caller may do nothing. Put narrow rules before broad ones.
 *
 * @example Anyone may pull, team A pushes to its own repositories
 * ```ts
 * import type { Policy } from "./policy.ts";
 *
 * const policy: Policy = {
 *   groups: { "team-a": ["alice", "bob"] },
 *   rules: [
 *     { repositories: "team-a/*", groups: ["team-a"], actions: ["pull", "push"] },
 *     { repositories: "*", users: ["admin"], actions: ["pull", "push", "delete"] },
 *     { repositories: "*", anonymous: true, actions: ["pull"] },
 *   ],
 * };
 * ```
 */
export interface Policy {
  /** The rules, in the order they are tried. */
  rules: readonly PolicyRule[];
  /** Group memberships, by group name, in addition to the groups the
   * authenticator itself gives a user. */
  groups?: Readonly<Record<string, readonly string[]>>;
}

/** A policy after checking, ready to answer permission questions. */
export interface CompiledPolicy {
  /** The actions `identity` may perform on `repository`. */
  permissions(identity: Identity | undefined, repository: string): Action[];
  /** Whether some rule gives anonymous callers any action. */
  readonly anonymousAccess: boolean;
  /** Whether some rule gives authenticated callers an action without
   * giving it to anonymous ones, so that logging in can matter. */
  readonly loginGrantsMore: boolean;
}

interface CompiledRule {
  patterns: RegExp[];
  users?: Set<string>;
  groups?: Set<string>;
  anonymous: boolean;
  actions: Action[];
}

/**
 * Checks `policy` (typically parsed JSON) and compiles it. Throws a
 * `TypeError` naming the first bad entry: an unknown key, an unknown
 * action, or a pattern that could never match a repository name.
 *
 * @example
 * ```ts
 * import { compilePolicy } from "./policy.ts";
 *
 * const policy = compilePolicy({
 *   rules: [{ repositories: "*", anonymous: true, actions: ["pull"] }],
 * });
 * policy.permissions(undefined, "library/alpine"); // ["pull"]
 * ```
 */
export function compilePolicy(policy: unknown): CompiledPolicy {
  const where = "policy";
  const input = checkObject(policy, where, ["rules", "groups"]);
  if (!Array.isArray(input.rules)) {
    throw new TypeError(`${where}.rules: expected a list of rules`);
  }
  const rules = input.rules.map((rule, i) =>
    compileRule(rule, `${where}.rules[${i}]`)
  );
  const members = compileGroups(input.groups, `${where}.groups`);

  const applies = (rule: CompiledRule, identity: Identity | undefined) => {
    if (!identity) return rule.anonymous;
    if (!rule.users && !rule.groups) return true;
    if (rule.users?.has(identity.name)) return true;
    if (!rule.groups) return false;
    for (const group of rule.groups) {
      if (identity.groups?.includes(group)) return true;
      if (members.get(group)?.has(identity.name)) return true;
    }
    return false;
  };
  return {
    permissions(identity, repository) {
      const rule = rules.find((rule) =>
        rule.patterns.some((pattern) => pattern.test(repository)) &&
        applies(rule, identity)
      );
      return rule ? [...rule.actions] : [];
    },
    anonymousAccess: rules.some((rule) =>
      rule.anonymous && rule.actions.length > 0
    ),
    loginGrantsMore: rules.some((rule) =>
      (!rule.anonymous || rule.users || rule.groups) && rule.actions.length > 0
    ),
  };
}

/**
 * `auth` with its permissions replaced by those of `policy`; who the
 * caller is still comes from `auth`. The catalog then lists only the
 * repositories the caller may pull, and `GET /v2/` asks for credentials
 * unless the policy gives anonymous callers something and gives logged-in
 * callers nothing more.
 *
 * @example
 * ```ts
 * import { allowAll } from "./open.ts";
 * import { withPolicy } from "./policy.ts";
 *
 * const auth = withPolicy(allowAll(), {
 *   rules: [{ repositories: "public/*", anonymous: true, actions: ["pull"] }],
 * });
 * ```
 */
export function withPolicy(auth: Auth, policy: Policy): Auth {
  const compiled = compilePolicy(policy);
  const result: Auth = {
    authenticate: (request) => auth.authenticate(request),
    permissions: (identity, repository) =>
      compiled.permissions(identity, repository),
    challenge: (request, scope) => auth.challenge(request, scope),
    anonymousBase: openBase(compiled),
  };
  if (auth.handle) result.handle = (request) => auth.handle!(request);
  return result;
}

/** Whether `GET /v2/` may answer anonymous callers under `policy`: only
 * when they have access and logging in could not add to it, because
 * clients send credentials only after a challenge there. */
export function openBase(policy: CompiledPolicy): boolean {
  return policy.anonymousAccess && !policy.loginGrantsMore;
}

function compileRule(rule: unknown, where: string): CompiledRule {
  const input = checkObject(rule, where, [
    "repositories",
    "users",
    "groups",
    "anonymous",
    "actions",
  ]);
  const repositories = typeof input.repositories === "string"
    ? [input.repositories]
    : input.repositories;
  if (!Array.isArray(repositories) || repositories.length === 0) {
    throw new TypeError(
      `${where}.repositories: expected a pattern or a list of patterns`,
    );
  }
  if (input.anonymous !== undefined && typeof input.anonymous !== "boolean") {
    throw new TypeError(`${where}.anonymous: expected true or false`);
  }
  return {
    patterns: repositories.map((pattern, i) =>
      compilePattern(pattern, `${where}.repositories[${i}]`)
    ),
    users: optionalNames(input.users, `${where}.users`),
    groups: optionalNames(input.groups, `${where}.groups`),
    anonymous: input.anonymous === true,
    actions: input.actions === undefined
      ? failMissing(`${where}.actions`)
      : parseActions(input.actions, `${where}.actions`),
  };
}

/** `*` becomes "any characters"; everything else must be able to occur in
 * a repository name, so a pattern like `Team/*` fails loudly instead of
 * silently matching nothing. */
function compilePattern(pattern: unknown, where: string): RegExp {
  if (typeof pattern !== "string" || !/^[a-z0-9._/*-]+$/.test(pattern)) {
    throw new TypeError(
      `${where}: '${pattern}' can never match a repository name ` +
        "(lowercase letters, digits, '.', '_', '-', '/' and '*' only)",
    );
  }
  const source = pattern.split("*")
    .map((part) => part.replace(/[.]/g, "\\."))
    .join(".*");
  return new RegExp(`^${source}$`);
}

function compileGroups(groups: unknown, where: string) {
  const members = new Map<string, Set<string>>();
  if (groups === undefined) return members;
  const input = checkObject(groups, where);
  for (const [group, users] of Object.entries(input)) {
    members.set(group, optionalNames(users, `${where}.${group}`)!);
  }
  return members;
}

function optionalNames(value: unknown, where: string) {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new TypeError(`${where}: expected a list of names`);
  }
  return new Set<string>(value);
}

function checkObject(
  value: unknown,
  where: string,
  keys?: readonly string[],
): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: expected an object`);
  }
  const unknown = keys && Object.keys(value).find((key) => !keys.includes(key));
  if (unknown) {
    throw new TypeError(
      `${where}: unknown key '${unknown}'; expected ${keys.join(", ")}`,
    );
  }
  return value as Record<string, unknown>;
}

function failMissing(where: string): never {
  throw new TypeError(`${where}: missing; use [] to deny`);
}
