/**
 * Reads the keys that sign and verify bearer tokens. A key may be given
 * as a `CryptoKey`, a PEM string (PKCS#8, SEC1 `EC PRIVATE KEY`, PKCS#1
 * `RSA PRIVATE KEY`, SPKI or an X.509 certificate) or a JWK. PEM is read
 * with `node:crypto`, which understands all of these forms, while Web
 * Crypto alone takes only PKCS#8 and SPKI. Tokens are signed with ES256
 * (P-256 keys) or RS256 (RSA keys), the algorithms registry clients and
 * registries commonly support.
 *
 * @module
 */

import { createPrivateKey, createPublicKey } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, importJWK, type JWK } from "jose";

/** A JSON Web Key (RFC 7517), with the key id that key sets carry. */
export type Jwk = JsonWebKey & { kid?: string };

/** A JSON Web Key Set: the `{"keys": [...]}` document token servers
 * publish. */
export interface JwkSet {
  /** The keys. */
  keys: Jwk[];
}

/** A key as the token options accept it. */
export type KeyInput = CryptoKey | string | Jwk;

/** A token signature algorithm this registry uses. */
export type TokenAlgorithm = "ES256" | "RS256";

/** A key ready to sign or verify tokens. */
export interface TokenKey {
  /** The key. */
  key: CryptoKey;
  /** The algorithm it signs or verifies with. */
  algorithm: TokenAlgorithm;
  /** The public half as a JWK, when it can be derived. */
  publicJwk?: Jwk;
  /** The RFC 7638 thumbprint of the public half, sent as the `kid`
   * header so that verifiers holding a key set can pick the key. */
  kid?: string;
}

/** Reads a private key that signs tokens. */
export function importPrivateKey(input: KeyInput): Promise<TokenKey> {
  return importKey(input, "private");
}

/** Reads a public key that verifies tokens. A private key or certificate
 * is accepted too, and its public half used. */
export function importPublicKey(input: KeyInput): Promise<TokenKey> {
  return importKey(input, "public");
}

async function importKey(
  input: KeyInput,
  type: "private" | "public",
): Promise<TokenKey> {
  if (input instanceof CryptoKey) {
    const algorithm = algorithmOfCryptoKey(input);
    if (input.extractable) return importJwkKey(await exportJWK(input), type);
    if (input.type !== type) {
      throw new TypeError(`expected a ${type} key, got a ${input.type} key`);
    }
    return { key: input, algorithm };
  }
  if (typeof input === "string") {
    let jwk: JWK;
    try {
      const key = type === "private"
        ? createPrivateKey(input)
        : createPublicKey(input);
      jwk = key.export({ format: "jwk" }) as JWK;
    } catch (error) {
      throw new TypeError(`cannot read the ${type} key PEM: ${error}`);
    }
    return importJwkKey(jwk, type);
  }
  return importJwkKey(input as JWK, type);
}

async function importJwkKey(
  jwk: JWK,
  type: "private" | "public",
): Promise<TokenKey> {
  const algorithm = algorithmOfJwk(jwk);
  if (type === "private" && jwk.d === undefined) {
    throw new TypeError("expected a private key, got a public key");
  }
  const publicJwk = jwk.kty === "EC"
    ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }
    : { kty: jwk.kty, n: jwk.n, e: jwk.e };
  const key = await importJWK(
    type === "private" ? { ...jwk, ext: false } : publicJwk,
    algorithm,
  ) as CryptoKey;
  return {
    key,
    algorithm,
    publicJwk,
    kid: await calculateJwkThumbprint(publicJwk),
  };
}

function algorithmOfJwk(jwk: JWK): TokenAlgorithm {
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  if (jwk.kty === "RSA") return "RS256";
  throw new TypeError(
    `unsupported token key (${jwk.kty} ${jwk.crv ?? ""}); ` +
      "use a P-256 EC key (ES256) or an RSA key (RS256)",
  );
}

function algorithmOfCryptoKey(key: CryptoKey): TokenAlgorithm {
  const algorithm = key.algorithm as { name: string; namedCurve?: string };
  if (algorithm.name === "ECDSA" && algorithm.namedCurve === "P-256") {
    return "ES256";
  }
  if (algorithm.name === "RSASSA-PKCS1-v1_5") return "RS256";
  throw new TypeError(
    `unsupported token key (${algorithm.name}); use an ECDSA P-256 key ` +
      "(ES256) or an RSASSA-PKCS1-v1_5 key (RS256)",
  );
}
