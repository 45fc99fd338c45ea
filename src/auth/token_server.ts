/**
 * A token server of the Docker token protocol: clients exchange Basic
 * credentials (or none) at `GET /token?service=...&scope=...` for a
 * signed JWT listing what they may do. Each requested scope is narrowed
 * to what the wrapped authenticator allows, so a client asking for
 * `pull,push` on a repository it may only pull gets a `pull` token, as
 * the protocol intends, rather than an error.
 *
 * @module
 */

import { SignJWT } from "jose";
import { RegistryError } from "../protocol/errors.ts";
import { allActions } from "./basic_auth.ts";
import {
  formatBasicAuthorization,
  parseBasicAuthorization,
} from "./basic_header.ts";
import { importPrivateKey, type Jwk, type KeyInput } from "./keys.ts";
import { LoginLimiter } from "./login_limiter.ts";
import { parseScope } from "./scope.ts";
import type { Auth, Grant, Identity, Scope } from "./types.ts";

/** Options for {@linkcode tokenServer}. */
export interface TokenServerOptions {
  /** Checks the credentials and decides what each caller may do: a Basic
   * authenticator such as a user table or htpasswd, with its policy. */
  authenticate: Auth;
  /** The key that signs tokens: P-256 EC (ES256) or RSA (RS256). */
  privateKey: KeyInput;
  /** The `iss` claim. */
  issuer: string;
  /** The service name: the `aud` claim. Requests naming another service
   * are refused. */
  service: string;
  /** Seconds a token stays valid; defaults to 300. */
  expiresIn?: number;
  /** The endpoint's path; defaults to `/token`. */
  path?: string;
  /** The key failed logins are counted under. Defaults to the user name
   * the client presents; pass one that reads the client address from a
   * trusted proxy header to count per client instead. `undefined`
   * disables counting for the request. */
  clientKey?: (
    request: Request,
    user: string | undefined,
  ) => string | undefined;
  /** Failed logins allowed per key within `failureWindow` before the
   * server answers 429; defaults to 5. */
  maxFailures?: number;
  /** The window of `maxFailures`, in seconds; defaults to 60. */
  failureWindow?: number;
}

/** A running token endpoint. */
export interface TokenServer {
  /** The endpoint's path. */
  readonly path: string;
  /** The public half of the signing key, when it can be derived, to
   * publish as a key set for registries that verify the tokens. */
  readonly publicJwk?: Jwk;
  /** Answers a token request, or gives `undefined` for any other path. */
  handle(request: Request): Promise<Response | undefined>;
}

/** The body of a token response. */
export interface TokenResponse {
  /** The signed JWT. */
  token: string;
  /** The same JWT, under its OAuth 2 name. */
  access_token: string;
  /** Seconds the token stays valid. */
  expires_in: number;
  /** When the token was issued (RFC 3339). */
  issued_at: string;
}

/**
 * Creates a token endpoint. A request without credentials gets an
 * anonymous token holding what anonymous callers may do, possibly nothing:
 * the registry then refuses with `insufficient_scope`, which clients
 * report as "may require login", as they do for other registries.
 * Besides `GET`, the OAuth 2 password grant
 * (`POST` of a form with `grant_type=password`) is accepted; refresh
 * tokens are not issued, and the `account`, `client_id` and
 * `offline_token` parameters are accepted but play no part.
 *
 * @example
 * ```ts
 * import { tokenServer } from "./token_server.ts";
 * import { userTable } from "./users.ts";
 *
 * const { privateKey } = await crypto.subtle.generateKey(
 *   { name: "ECDSA", namedCurve: "P-256" },
 *   true,
 *   ["sign", "verify"],
 * );
 * const server = await tokenServer({
 *   authenticate: userTable({ users: { alice: { password: "s3cret" } } }),
 *   privateKey,
 *   issuer: "registry-token",
 *   service: "registry.example.com",
 * });
 * const response = await server.handle(
 *   new Request("http://localhost/token?scope=repository:app:pull"),
 * );
 * ```
 */
export async function tokenServer(
  options: TokenServerOptions,
): Promise<TokenServer> {
  const signing = await importPrivateKey(options.privateKey);
  const path = options.path ?? "/token";
  const expiresIn = options.expiresIn ?? 300;
  if (!(expiresIn > 0)) {
    throw new TypeError(
      `expiresIn: expected seconds above 0, got ${expiresIn}`,
    );
  }
  const auth = options.authenticate;
  const limiter = new LoginLimiter({
    maxFailures: options.maxFailures,
    window: options.failureWindow,
  });

  async function issue(request: Request, url: URL): Promise<Response> {
    const login = await readLogin(request, url);
    const service = login.parameters.get("service");
    if (service !== null && service !== options.service) {
      throw new RegistryError("UNSUPPORTED", `unknown service '${service}'`, {
        status: 400,
      });
    }
    const scopes = login.parameters.getAll("scope")
      .flatMap((value) => value.split(" "))
      .filter((value) => value !== "")
      .map(parseScope);

    const identity = await logIn(request, login);
    const access = await grant(identity, scopes);
    return Response.json(await sign(identity, access), {
      headers: { "Cache-Control": "no-store" },
    });
  }

  async function logIn(request: Request, login: Login) {
    const key = options.clientKey
      ? options.clientKey(request, login.user)
      : login.user;
    const wait = key === undefined ? undefined : limiter.retryAfter(key);
    if (wait !== undefined) {
      throw new RegistryError("TOOMANYREQUESTS", "too many failed logins", {
        headers: { "Retry-After": String(wait) },
      });
    }

    let identity: Identity | undefined;
    try {
      identity = await auth.authenticate(login.credentials);
    } catch (error) {
      const refused = error instanceof RegistryError &&
        error.code === "UNAUTHORIZED";
      if (refused && key !== undefined) limiter.fail(key);
      throw error;
    }
    return identity;
  }

  async function grant(identity: Identity | undefined, scopes: Scope[]) {
    const access = new Map<string, Grant>();
    for (const scope of scopes) {
      let actions: string[];
      if (scope.type === "registry") {
        // A token cannot carry "the repositories you may pull", so the
        // catalog is all or nothing: granted only when the authenticator
        // says the caller may list all of it. Under a policy, which has no
        // such answer, token holders cannot list the catalog.
        actions = await auth.catalog?.(identity) ? ["*"] : [];
      } else {
        const allowed = new Set<string>(
          await auth.permissions(identity, scope.name),
        );
        const wanted = scope.actions.includes("*") ? allActions : scope.actions;
        actions = wanted.filter((action) => allowed.has(action));
      }
      if (actions.length === 0) continue;

      const key = `${scope.type}:${scope.name}`;
      const before = access.get(key)?.actions ?? [];
      access.set(key, {
        type: scope.type,
        name: scope.name,
        actions: [...new Set([...before, ...actions])],
      });
    }
    return [...access.values()];
  }

  async function sign(
    identity: Identity | undefined,
    access: Grant[],
  ): Promise<TokenResponse> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({
        alg: signing.algorithm,
        typ: "JWT",
        kid: signing.kid,
      })
      .setIssuer(options.issuer)
      .setSubject(identity?.name ?? "")
      .setAudience(options.service)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + expiresIn)
      .setJti(crypto.randomUUID())
      .sign(signing.key);
    return {
      token,
      access_token: token,
      expires_in: expiresIn,
      issued_at: new Date(now * 1000).toISOString(),
    };
  }

  return {
    path,
    publicJwk: signing.publicJwk,
    async handle(request) {
      const url = new URL(request.url);
      if (url.pathname !== path) return undefined;
      try {
        return await issue(request, url);
      } catch (error) {
        if (error instanceof RegistryError) {
          return error.toResponse(request.method);
        }
        throw error;
      }
    },
  };
}

/** A token request's parameters and the credentials it carries. */
interface Login {
  parameters: URLSearchParams;
  /** A request whose `Authorization` header holds the credentials, for
   * the wrapped authenticator. */
  credentials: Request;
  /** The user name presented, if any, before it is checked. */
  user?: string;
}

async function readLogin(request: Request, url: URL): Promise<Login> {
  if (request.method === "GET") {
    let user: string | undefined;
    try {
      user = parseBasicAuthorization(request.headers.get("Authorization"))
        ?.user;
    } catch {
      // The authenticator refuses the malformed header with its challenge.
    }
    return { parameters: url.searchParams, credentials: request, user };
  }
  if (request.method !== "POST") {
    throw new RegistryError("UNSUPPORTED", "use GET or POST", {
      headers: { Allow: "GET, POST" },
    });
  }

  // The OAuth 2 password grant (RFC 6749, section 4.3) sends the
  // credentials in the form; they are passed on as a Basic header so any
  // Basic authenticator can check them.
  const parameters = new URLSearchParams(await request.text());
  const grantType = parameters.get("grant_type");
  const user = parameters.get("username");
  const password = parameters.get("password");
  if (grantType !== "password") {
    throw new RegistryError(
      "UNSUPPORTED",
      `unsupported grant_type '${grantType}'; only password is`,
      { status: 400 },
    );
  }
  if (user === null || password === null) {
    throw new RegistryError(
      "UNSUPPORTED",
      "the password grant needs username and password",
      { status: 400 },
    );
  }
  const credentials = new Request(url, {
    headers: { Authorization: formatBasicAuthorization(user, password) },
  });
  return { parameters, credentials, user };
}
