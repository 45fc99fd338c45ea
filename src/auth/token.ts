/**
 * Bearer token auth, as in the Docker token protocol that `docker`,
 * `podman`, `skopeo` and `oras` speak: the registry answers 401 with a
 * `Bearer` challenge naming a token server (the realm), the client fetches
 * a signed JWT there for the scope it needs, and sends it back with each
 * request. This module verifies such tokens; their `access` claim lists
 * what the caller may do, so no user database is consulted here.
 *
 * @module
 */

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import { RegistryError } from "../protocol/errors.ts";
import { allActions } from "./basic_auth.ts";
import { formatChallenge } from "./challenge.ts";
import { importPublicKey, type JwkSet, type KeyInput } from "./keys.ts";
import { formatScope } from "./scope.ts";
import type { Action, Auth, Grant, Identity, Scope } from "./types.ts";

/** Options for {@linkcode tokenAuth}. Give exactly one of `publicKey`,
 * `jwks` and `jwksUrl`. */
export interface TokenAuthOptions {
  /** The key that verifies tokens (PEM, JWK or `CryptoKey`). */
  publicKey?: KeyInput;
  /** A key set that verifies tokens; the token's `kid` picks the key. */
  jwks?: JwkSet;
  /** Where to fetch the key set from; it is cached and refetched when a
   * token names a key it does not hold. */
  jwksUrl?: string | URL;
  /** The required `iss` claim. */
  issuer: string;
  /** The service name: the required `aud` claim, also sent in challenges. */
  service: string;
  /** The token endpoint URL sent in challenges, or a function of the
   * request that gives it. */
  realm: string | ((request: Request) => string);
  /** Seconds of clock difference tolerated on `exp` and `nbf`; defaults
   * to 30. */
  clockTolerance?: number;
}

/**
 * An auth that accepts bearer tokens. A missing, expired, wrongly signed
 * or foreign token is refused with 401 and an `invalid_token` challenge.
 * `GET /v2/` needs a token, which is how clients learn the realm.
 *
 * @example
 * ```ts
 * import { tokenAuth } from "./token.ts";
 *
 * const auth = await tokenAuth({
 *   jwksUrl: "https://auth.example.com/jwks.json",
 *   issuer: "https://auth.example.com",
 *   service: "registry.example.com",
 *   realm: "https://auth.example.com/token",
 * });
 * ```
 */
export async function tokenAuth(options: TokenAuthOptions): Promise<Auth> {
  const sources = [options.publicKey, options.jwks, options.jwksUrl]
    .filter((source) => source !== undefined);
  if (sources.length !== 1) {
    throw new TypeError("give exactly one of publicKey, jwks and jwksUrl");
  }
  const key: CryptoKey | JWTVerifyGetKey = options.publicKey
    ? (await importPublicKey(options.publicKey)).key
    : options.jwks
    ? createLocalJWKSet(options.jwks as JSONWebKeySet)
    : createRemoteJWKSet(new URL(options.jwksUrl!));
  const realm = typeof options.realm === "string"
    ? () => options.realm as string
    : options.realm;
  const checks = {
    issuer: options.issuer,
    audience: options.service,
    algorithms: ["ES256", "RS256"],
    clockTolerance: options.clockTolerance ?? 30,
    requiredClaims: ["exp"],
  };
  const challengeOf = (request: Request, parameters: object) =>
    formatChallenge("Bearer", {
      realm: realm(request),
      service: options.service,
      ...parameters,
    });

  async function verify(request: Request): Promise<Identity | undefined> {
    const header = request.headers.get("Authorization");
    if (header === null || header.trim() === "") return undefined;
    const refuse = (message: string, error?: string) =>
      new RegistryError("UNAUTHORIZED", message, {
        headers: { "WWW-Authenticate": challengeOf(request, { error }) },
      });

    const [scheme, token, ...rest] = header.trim().split(/\s+/);
    if (scheme.toLowerCase() !== "bearer") {
      throw refuse(
        `this registry takes bearer tokens, not ${scheme.slice(0, 20)}`,
      );
    }
    if (!token || rest.length > 0) {
      throw refuse("malformed Bearer authorization", "invalid_token");
    }
    try {
      const { payload } = typeof key === "function"
        ? await jwtVerify(token, key, checks)
        : await jwtVerify(token, key, checks);
      const grants = parseGrants(payload.access);
      if (!grants) throw refuse("malformed access claim", "invalid_token");
      return { name: payload.sub ?? "", grants };
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      // A key set that cannot be fetched is the registry's problem, not
      // the client's, so it is not reported as a bad token.
      if (
        !(error instanceof errors.JOSEError) ||
        error instanceof errors.JWKSTimeout
      ) throw error;
      throw refuse(describe(error), "invalid_token");
    }
  }

  // The registry authenticates a request, then may ask for its challenge;
  // remembering the outcome spares verifying the token twice.
  const verified = new WeakMap<Request, Promise<Identity | undefined>>();
  const identityOf = (request: Request) => {
    let identity = verified.get(request);
    if (!identity) verified.set(request, identity = verify(request));
    return identity;
  };

  return {
    authenticate: identityOf,
    permissions: (identity, repository) => grantedActions(identity, repository),
    async challenge(request, scope?: Scope) {
      // A scope without actions (such as that of `GET /v2/`) is no scope
      // a token server could grant, so the challenge names none.
      const needed = scope?.actions.length ? scope : undefined;
      const parameters: Record<string, string | undefined> = {
        scope: needed && formatScope(needed),
      };
      // A client holding a valid token that lacks the scope is told so,
      // and fetches a new token rather than giving up.
      const token = await identityOf(request).catch(() => undefined);
      if (needed && token) parameters.error = "insufficient_scope";
      return challengeOf(request, parameters);
    },
    anonymousBase: false,
    catalog: (identity) =>
      identity?.grants?.some((grant) =>
        grant.type === "registry" && grant.name === "catalog" &&
        grant.actions.includes("*")
      ) ?? false,
  };
}

/** The actions a token's grants give on `repository`; `*` stands for
 * every action. */
function grantedActions(
  identity: Identity | undefined,
  repository: string,
): Action[] {
  const actions = new Set<Action>();
  for (const grant of identity?.grants ?? []) {
    if (grant.type !== "repository" || grant.name !== repository) continue;
    for (const action of grant.actions) {
      if (action === "*") allActions.forEach((a) => actions.add(a));
      else if ((allActions as string[]).includes(action)) {
        actions.add(action as Action);
      }
    }
  }
  return [...actions];
}

/** The `access` claim as grants; `undefined` when it is malformed. A
 * token without the claim grants nothing. */
function parseGrants(access: unknown): Grant[] | undefined {
  if (access === undefined) return [];
  if (!Array.isArray(access)) return undefined;
  const valid = access.every((grant) =>
    typeof grant?.type === "string" && typeof grant.name === "string" &&
    Array.isArray(grant.actions) &&
    grant.actions.every((action: unknown) => typeof action === "string")
  );
  return valid ? access : undefined;
}

function describe(error: errors.JOSEError): string {
  if (error instanceof errors.JWTExpired) return "token expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `token claim '${error.claim}' is invalid: ${error.reason}`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "token signature is invalid";
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return "token was signed by an unknown key";
  }
  return "token is invalid";
}
