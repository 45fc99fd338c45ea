/**
 * Token auth in one piece: the registry serves its own token endpoint and
 * accepts the tokens it issues, both with the same key pair. This gives
 * clients the token flow they expect from large registries (short-lived
 * tokens instead of a password on every request) without running a
 * separate token server.
 *
 * @module
 */

import { generateKeyPair } from "jose";
import type { KeyInput } from "./keys.ts";
import { tokenAuth } from "./token.ts";
import { tokenServer, type TokenServerOptions } from "./token_server.ts";
import type { Auth } from "./types.ts";

/** Options for {@linkcode tokenAuthWithServer}. */
export interface TokenAuthWithServerOptions
  extends Omit<TokenServerOptions, "privateKey" | "issuer" | "service"> {
  /** The key that signs tokens. When absent a P-256 key is generated, so
   * tokens issued before a restart stop being accepted after it (clients
   * simply fetch new ones). */
  privateKey?: KeyInput;
  /** The key that verifies tokens; needed only when `privateKey` is a
   * `CryptoKey` that cannot be exported. */
  publicKey?: KeyInput;
  /** The `iss` claim; defaults to `registry`. */
  issuer?: string;
  /** The service name and `aud` claim; defaults to `registry`. */
  service?: string;
  /** The token endpoint URL sent in challenges. Defaults to the endpoint's
   * path on the origin of each request; set it when a proxy in front of
   * the registry changes the scheme or host. */
  realm?: string;
  /** Seconds of clock difference tolerated; defaults to 30. */
  clockTolerance?: number;
}

/**
 * An auth that issues tokens at `/token` (via `handle`) and accepts them
 * on every registry request.
 *
 * @example Users from a table, tokens from the registry itself
 * ```ts
 * import { tokenAuthWithServer } from "./token_with_server.ts";
 * import { userTable } from "./users.ts";
 *
 * const auth = await tokenAuthWithServer({
 *   authenticate: userTable({
 *     users: { alice: { password: "s3cret" } },
 *     anonymous: ["pull"],
 *   }),
 * });
 * ```
 */
export async function tokenAuthWithServer(
  options: TokenAuthWithServerOptions,
): Promise<Auth> {
  const privateKey = options.privateKey ??
    (await generateKeyPair("ES256", { extractable: true })).privateKey;
  const issuer = options.issuer ?? "registry";
  const service = options.service ?? "registry";
  const server = await tokenServer({
    ...options,
    privateKey,
    issuer,
    service,
  });
  const publicKey = options.publicKey ?? server.publicJwk;
  if (!publicKey) {
    throw new TypeError(
      "publicKey: needed when privateKey is a CryptoKey that cannot be exported",
    );
  }

  const verifier = await tokenAuth({
    publicKey,
    issuer,
    service,
    realm: options.realm ??
      ((request) => new URL(server.path, request.url).href),
    clockTolerance: options.clockTolerance,
  });
  return {
    authenticate: (request) => verifier.authenticate(request),
    permissions: (identity, repository) =>
      verifier.permissions(identity, repository),
    challenge: (request, scope) => verifier.challenge(request, scope),
    anonymousBase: false,
    catalog: (identity) => verifier.catalog!(identity),
    handle: (request) => server.handle(request),
  };
}
