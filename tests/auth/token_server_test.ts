import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, generateKeyPair } from "jose";
import { formatBasicAuthorization } from "../../src/auth/basic_header.ts";
import { tokenAuth } from "../../src/auth/token.ts";
import {
  tokenServer,
  type TokenServerOptions,
} from "../../src/auth/token_server.ts";
import { userTable } from "../../src/auth/users.ts";

const keys = await generateKeyPair("ES256", { extractable: true });

const users = () =>
  userTable({
    users: {
      alice: { password: "alice-pw" },
      bob: { password: "bob-pw", permissions: ["pull"] },
    },
    anonymous: ["pull"],
  });

function server(options: Partial<TokenServerOptions> = {}) {
  return tokenServer({
    authenticate: users(),
    privateKey: keys.privateKey,
    issuer: "issuer",
    service: "registry.test",
    ...options,
  });
}

function tokenRequest(query: string, credentials?: [string, string]) {
  const headers = new Headers();
  if (credentials) {
    headers.set("Authorization", formatBasicAuthorization(...credentials));
  }
  return new Request(`http://127.0.0.1/token?${query}`, { headers });
}

async function fetchToken(
  handle: (request: Request) => Promise<Response | undefined>,
  request: Request,
) {
  const response = await handle(request);
  assert.ok(response);
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get("Cache-Control"), "no-store");
  const body = await response.json();
  assert.equal(body.token, body.access_token);
  return body;
}

const accessOf = (token: string) => decodeJwt(token).access;

Deno.test("tokenServer() issues a token that tokenAuth() accepts", async () => {
  const { handle } = await server();
  const body = await fetchToken(
    handle,
    tokenRequest(
      "service=registry.test&scope=repository:team/app:pull,push",
      ["alice", "alice-pw"],
    ),
  );
  assert.equal(body.expires_in, 300);
  assert.ok(Math.abs(Date.parse(body.issued_at) - Date.now()) < 5000);

  const auth = await tokenAuth({
    publicKey: keys.publicKey,
    issuer: "issuer",
    service: "registry.test",
    realm: "http://127.0.0.1/token",
  });
  const identity = await auth.authenticate(
    new Request("http://127.0.0.1/v2/team/app/blobs/uploads/", {
      method: "POST",
      headers: { Authorization: `Bearer ${body.token}` },
    }),
  );
  assert.equal(identity?.name, "alice");
  assert.deepEqual([...await auth.permissions(identity, "team/app")], [
    "pull",
    "push",
  ]);
});

Deno.test("tokenServer() signs the claims the protocol names", async () => {
  const { handle } = await server({ expiresIn: 120 });
  const { token } = await fetchToken(
    handle,
    tokenRequest("scope=repository:app:pull", ["alice", "alice-pw"]),
  );
  const claims = decodeJwt(token);
  assert.equal(claims.iss, "issuer");
  assert.equal(claims.sub, "alice");
  assert.equal(claims.aud, "registry.test");
  assert.equal(claims.exp! - claims.iat!, 120);
  assert.equal(claims.nbf, claims.iat);
  assert.match(claims.jti!, /^[0-9a-f-]{36}$/);
  const header = decodeProtectedHeader(token);
  assert.equal(header.alg, "ES256");
  assert.ok(header.kid);
});

Deno.test("tokenServer() signs with RS256 given an RSA key", async () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = rsa.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const { handle } = await server({ privateKey: pem });
  const { token } = await fetchToken(
    handle,
    tokenRequest("scope=repository:a:pull"),
  );
  assert.equal(decodeProtectedHeader(token).alg, "RS256");
});

Deno.test("tokenServer() narrows a scope to what the caller may do", async () => {
  const { handle } = await server();
  const { token } = await fetchToken(
    handle,
    tokenRequest("scope=repository:app:pull,push", ["bob", "bob-pw"]),
  );
  assert.deepEqual(accessOf(token), [
    { type: "repository", name: "app", actions: ["pull"] },
  ]);
});

Deno.test("tokenServer() leaves out scopes the caller may not use at all", async () => {
  const { handle } = await server();
  const { token } = await fetchToken(
    handle,
    tokenRequest("scope=repository:app:push,delete", ["bob", "bob-pw"]),
  );
  assert.deepEqual(accessOf(token), []);
});

Deno.test("tokenServer() grants several scopes in one request", async () => {
  const { handle } = await server();
  const { token } = await fetchToken(
    handle,
    tokenRequest(
      "scope=repository:a:pull&scope=repository:b:push " +
        "repository:c:*&scope=repository:a:push",
      ["alice", "alice-pw"],
    ),
  );
  assert.deepEqual(accessOf(token), [
    { type: "repository", name: "a", actions: ["pull", "push"] },
    { type: "repository", name: "b", actions: ["push"] },
    { type: "repository", name: "c", actions: ["pull", "push", "delete"] },
  ]);
});

Deno.test("tokenServer() grants the catalog scope when the authenticator allows", async () => {
  const { handle } = await server();
  const alice = await fetchToken(
    handle,
    tokenRequest("scope=registry:catalog:*", ["alice", "alice-pw"]),
  );
  assert.deepEqual(accessOf(alice.token), [
    { type: "registry", name: "catalog", actions: ["*"] },
  ]);

  const closed = await server({
    authenticate: userTable({
      users: { carol: { password: "pw", permissions: ["push"] } },
    }),
  });
  const carol = await fetchToken(
    closed.handle,
    tokenRequest("scope=registry:catalog:*", ["carol", "pw"]),
  );
  assert.deepEqual(accessOf(carol.token), []);
});

Deno.test("tokenServer() gives anonymous callers the anonymous actions", async () => {
  const { handle } = await server();
  const { token } = await fetchToken(
    handle,
    tokenRequest("scope=repository:app:pull,push"),
  );
  assert.equal(decodeJwt(token).sub, "");
  assert.deepEqual(accessOf(token), [
    { type: "repository", name: "app", actions: ["pull"] },
  ]);
});

Deno.test("tokenServer() gives an empty token to anonymous callers who may do nothing", async () => {
  const { handle } = await server({
    authenticate: userTable({ users: { alice: { password: "alice-pw" } } }),
  });
  const { token } = await fetchToken(
    handle,
    tokenRequest("scope=repository:app:pull"),
  );
  assert.deepEqual(accessOf(token), []);
});

Deno.test("tokenServer() treats empty Basic credentials as anonymous", async () => {
  const { handle } = await server();
  const { token } = await fetchToken(
    handle,
    tokenRequest("scope=repository:app:pull,push", ["", ""]),
  );
  assert.equal(decodeJwt(token).sub, "");
  assert.deepEqual(accessOf(token), [
    { type: "repository", name: "app", actions: ["pull"] },
  ]);
});

Deno.test("tokenServer() refuses a wrong password with a Basic challenge", async () => {
  const { handle } = await server();
  const response = await handle(
    tokenRequest("scope=repository:app:pull", ["alice", "wrong"]),
  );
  assert.equal(response?.status, 401);
  assert.equal(
    response?.headers.get("WWW-Authenticate"),
    'Basic realm="registry"',
  );
  assert.equal((await response?.json()).errors[0].code, "UNAUTHORIZED");
});

Deno.test("tokenServer() answers 429 after five failed logins in a minute", async () => {
  const { handle } = await server();
  const attempt = (password: string, user = "alice") =>
    handle(tokenRequest("scope=repository:app:pull", [user, password]));
  for (let i = 0; i < 5; i++) {
    const response = await attempt(`guess-${i}`);
    assert.equal(response?.status, 401);
    await response?.body?.cancel();
  }
  const blocked = await attempt("guess-5");
  assert.equal(blocked?.status, 429);
  assert.equal((await blocked?.json()).errors[0].code, "TOOMANYREQUESTS");
  const retryAfter = Number(blocked?.headers.get("Retry-After"));
  assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);

  const evenRight = await attempt("alice-pw");
  assert.equal(evenRight?.status, 429);
  await evenRight?.body?.cancel();
  const other = await attempt("bob-pw", "bob");
  assert.equal(other?.status, 200);
  await other?.body?.cancel();
});

Deno.test("tokenServer() counts failures under the clientKey it is given", async () => {
  const { handle } = await server({
    clientKey: (request) => request.headers.get("X-Client") ?? undefined,
    maxFailures: 1,
  });
  const attempt = async (client: string, user: string) => {
    const request = tokenRequest("", [user, "wrong"]);
    request.headers.set("X-Client", client);
    const response = await handle(request);
    await response?.body?.cancel();
    return response?.status;
  };
  assert.equal(await attempt("10.0.0.1", "alice"), 401);
  assert.equal(await attempt("10.0.0.1", "bob"), 429);
  assert.equal(await attempt("10.0.0.2", "alice"), 401);
});

Deno.test("tokenServer() accepts the OAuth 2 password grant", async () => {
  const { handle } = await server();
  const request = new Request("http://127.0.0.1/token", {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "password",
      username: "bob",
      password: "bob-pw",
      service: "registry.test",
      scope: "repository:a:pull repository:b:pull",
      client_id: "test",
    }),
  });
  const { token } = await fetchToken(handle, request);
  assert.equal(decodeJwt(token).sub, "bob");
  assert.equal((accessOf(token) as unknown[]).length, 2);
});

Deno.test("tokenServer() refuses malformed token requests", async () => {
  const { handle } = await server();
  const cases: [Request, number][] = [
    [tokenRequest("service=other&scope=repository:a:pull"), 400],
    [tokenRequest("scope=repository:Bad:pull"), 400],
    [tokenRequest("scope=repository:a"), 400],
    [new Request("http://127.0.0.1/token", { method: "PUT" }), 405],
    [
      new Request("http://127.0.0.1/token", {
        method: "POST",
        body: new URLSearchParams({ grant_type: "refresh_token" }),
      }),
      400,
    ],
  ];
  for (const [request, status] of cases) {
    const response = await handle(request);
    assert.equal(response?.status, status, request.url);
    const body = await response?.json();
    assert.ok(body.errors[0].code);
  }
});

Deno.test("tokenServer() ignores other paths and serves its own", async () => {
  const { handle, path } = await server({ path: "/auth/token" });
  assert.equal(path, "/auth/token");
  assert.equal(await handle(new Request("http://127.0.0.1/token")), undefined);
  assert.equal(await handle(new Request("http://127.0.0.1/v2/")), undefined);
  const response = await handle(new Request("http://127.0.0.1/auth/token"));
  assert.equal(response?.status, 200);
  await response?.body?.cancel();
});
