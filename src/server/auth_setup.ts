/**
 * Builds the registry's auth from the server's settings. Callers prove
 * who they are with the master password or an htpasswd file (HTTP
 * Basic), or with bearer tokens that the registry issues itself after a
 * Basic login (`--token-issue`) or that an external token server signs
 * (`--token-verify`). An access policy, when given, decides what each
 * caller may do. Every file is read and checked here, so a missing key or
 * a malformed policy stops the start with a {@linkcode ConfigError}
 * instead of failing the first request.
 *
 * @module
 */

import { htpasswd } from "../auth/htpasswd.ts";
import type { JwkSet } from "../auth/keys.ts";
import { allowAll } from "../auth/open.ts";
import { type Policy, withPolicy } from "../auth/policy.ts";
import { tokenAuth } from "../auth/token.ts";
import { tokenAuthWithServer } from "../auth/token_with_server.ts";
import type { Action, Auth } from "../auth/types.ts";
import { anonymousWithMaster } from "../auth/users.ts";
import type { Logger } from "../log.ts";
import { readJson, readSecret, readText } from "./files.ts";
import type { Settings } from "./settings.ts";
import { ConfigError } from "./values.ts";

/** The auth to run with, and how to describe it at start-up. */
export interface AuthSetup {
  /** `undefined` leaves the registry's default: everyone may do anything. */
  auth?: Auth;
  /** How callers log in, for the start-up line, such as `htpasswd`. */
  mode: string;
  /** What callers without credentials may do, for the start-up line. */
  anonymous: string;
  /** Things the operator should know, such as a generated signing key. */
  warnings: string[];
}

/** Builds the auth `settings` ask for; `password` is the master password
 * from the environment. Assumes `checkCombination` accepted the settings. */
export async function setupAuth(
  settings: Settings,
  password: string | undefined,
  log: Logger,
): Promise<AuthSetup> {
  if (settings.tokenVerify) return await verifiedTokens(settings);

  password ??= settings.passwordFile &&
    await readSecret(settings.passwordFile, "--password-file");
  const policy = settings.policy
    ? await readJson(settings.policy, "--policy") as Policy
    : undefined;
  const basic = await basicLogin(settings, password, policy, log);
  if (!settings.tokenIssue) return { ...basic, warnings: [] };

  const privateKey = settings.tokenKey &&
    await readText(settings.tokenKey, "--token-key");
  const auth = await build("token settings", () =>
    tokenAuthWithServer({
      authenticate: basic.auth ?? allowAll(),
      privateKey: privateKey || undefined,
      issuer: settings.tokenIssuer,
      service: settings.tokenService,
      realm: settings.tokenRealm,
    }));
  const warnings = privateKey ? [] : [
    "tokens are signed with a key generated at start, so they stop being " +
    "accepted after a restart (clients then fetch new ones); set " +
    "--token-key to keep them valid",
  ];
  return {
    auth,
    mode: `token-issue (${basic.mode})`,
    anonymous: basic.anonymous,
    warnings,
  };
}

/** The Basic authenticator: master password, htpasswd file, or none. */
async function basicLogin(
  settings: Settings,
  password: string | undefined,
  policy: Policy | undefined,
  log: Logger,
): Promise<Omit<AuthSetup, "warnings">> {
  const anonymous: Action[] = settings.anonymous ?? [];
  const described = policy ? "as the policy says" : describe(anonymous);
  const path = settings.htpasswd;
  if (path) {
    const auth = await build(`--htpasswd '${path}'`, () =>
      htpasswd({
        load: () => Deno.readTextFile(path),
        ...(policy ? { policy } : { anonymous }),
        onReloadError: (error) =>
          log({
            level: "warn",
            msg: "htpasswd reload failed; keeping the users read before",
            file: path,
            error,
          }),
      }));
    return { auth, mode: withMode("htpasswd", policy), anonymous: described };
  }

  if (password) {
    const master = await build(
      "master password",
      () => anonymousWithMaster({ anonymous, password }),
    );
    const auth = policy ? await applyPolicy(master, policy) : master;
    return {
      auth,
      mode: withMode("master-password", policy),
      anonymous: described,
    };
  }

  if (policy) {
    const auth = await applyPolicy(allowAll(), policy);
    return { auth, mode: "policy", anonymous: described };
  }
  return { mode: "none", anonymous: "pull,push,delete" };
}

/** Tokens from an external token server, checked with its public key. */
async function verifiedTokens(settings: Settings): Promise<AuthSetup> {
  const publicKey = settings.tokenPublicKey &&
    await readText(settings.tokenPublicKey, "--token-public-key");
  const jwks = settings.tokenJwks &&
    await readJson(settings.tokenJwks, "--token-jwks") as JwkSet;
  const auth = await build("token settings", () =>
    tokenAuth({
      ...(publicKey ? { publicKey } : { jwks: jwks as JwkSet }),
      issuer: settings.tokenIssuer!,
      service: settings.tokenService!,
      realm: settings.tokenRealm!,
    }));
  return {
    auth,
    mode: "token-verify",
    anonymous: "none",
    warnings: [],
  };
}

function applyPolicy(auth: Auth, policy: Policy): Promise<Auth> {
  return build("--policy", () => withPolicy(auth, policy));
}

/** Runs an auth factory, turning what it throws into a start-up error. */
async function build(
  source: string,
  factory: () => Auth | Promise<Auth>,
): Promise<Auth> {
  try {
    return await factory();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${source}: ${message}`);
  }
}

function withMode(mode: string, policy: Policy | undefined): string {
  return policy ? `${mode}+policy` : mode;
}

function describe(actions: readonly Action[]): string {
  return actions.length ? actions.join(",") : "none";
}
