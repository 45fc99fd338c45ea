import assert from "node:assert/strict";
import {
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from "jose";
import { tokenAuth } from "../../src/auth/token.ts";
import type { Auth } from "../../src/auth/types.ts";
import { RegistryError } from "../../src/protocol/errors.ts";

const keys = await generateKeyPair("ES256", { extractable: true });
const realm = "https://auth.example.test/token";
const options = {
  publicKey: keys.publicKey,
  issuer: "issuer",
  service: "registry.test",
  realm,
};

async function sign(
  claims: JWTPayload = {},
  key: CryptoKey = keys.privateKey,
  kid?: string,
) {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({
    iss: "issuer",
    aud: "registry.test",
    sub: "alice",
    iat: now,
    nbf: now,
    exp: now + 300,
    access: [{ type: "repository", name: "team/app", actions: ["pull"] }],
    ...claims,
  }).setProtectedHeader({ alg: "ES256", kid }).sign(key);
}

function bearer(token: string, path = "/v2/team/app/manifests/latest") {
  return new Request(`http://127.0.0.1${path}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
}

async function refusal(auth: Auth, request: Request): Promise<RegistryError> {
  try {
    await auth.authenticate(request);
  } catch (error) {
    assert.ok(error instanceof RegistryError);
    assert.equal(error.code, "UNAUTHORIZED");
    assert.equal(error.status, 401);
    return error;
  }
  assert.fail("expected the token to be refused");
}

Deno.test("tokenAuth() accepts a valid token and takes permissions from it", async () => {
  const auth = await tokenAuth(options);
  const identity = await auth.authenticate(bearer(await sign()));
  assert.equal(identity?.name, "alice");
  assert.deepEqual([...await auth.permissions(identity, "team/app")], ["pull"]);
  assert.deepEqual([...await auth.permissions(identity, "team/other")], []);
  assert.equal(await auth.catalog?.(identity), false);
});

Deno.test("tokenAuth() reads * as every action and registry:catalog:* as the catalog", async () => {
  const auth = await tokenAuth(options);
  const token = await sign({
    access: [
      { type: "repository", name: "a", actions: ["*"] },
      { type: "repository", name: "b", actions: ["pull", "unknown"] },
      { type: "repository", name: "b", actions: ["delete"] },
      { type: "registry", name: "catalog", actions: ["*"] },
    ],
  });
  const identity = await auth.authenticate(bearer(token));
  assert.deepEqual([...await auth.permissions(identity, "a")].sort(), [
    "delete",
    "pull",
    "push",
  ]);
  assert.deepEqual([...await auth.permissions(identity, "b")], [
    "pull",
    "delete",
  ]);
  assert.equal(await auth.catalog?.(identity), true);
});

Deno.test("tokenAuth() treats a request without a token as anonymous with no access", async () => {
  const auth = await tokenAuth(options);
  const request = new Request("http://127.0.0.1/v2/");
  assert.equal(await auth.authenticate(request), undefined);
  assert.deepEqual([...await auth.permissions(undefined, "team/app")], []);
  assert.equal(auth.anonymousBase, false);
});

Deno.test("tokenAuth() refuses an expired token with invalid_token", async () => {
  const auth = await tokenAuth(options);
  const now = Math.floor(Date.now() / 1000);
  const error = await refusal(
    auth,
    bearer(await sign({ iat: now - 600, nbf: now - 600, exp: now - 60 })),
  );
  assert.match(error.message, /expired/);
  assert.equal(
    error.headers.get("WWW-Authenticate"),
    `Bearer realm="${realm}",service="registry.test",error="invalid_token"`,
  );
});

Deno.test("tokenAuth() tolerates clock skew within clockTolerance", async () => {
  const auth = await tokenAuth(options);
  const now = Math.floor(Date.now() / 1000);
  const token = await sign({ iat: now - 600, nbf: now - 600, exp: now - 10 });
  assert.equal((await auth.authenticate(bearer(token)))?.name, "alice");
  const strict = await tokenAuth({ ...options, clockTolerance: 0 });
  await refusal(strict, bearer(token));
});

Deno.test("tokenAuth() refuses a token signed by another key", async () => {
  const other = await generateKeyPair("ES256");
  const auth = await tokenAuth(options);
  const error = await refusal(auth, bearer(await sign({}, other.privateKey)));
  assert.match(error.message, /signature/);
});

Deno.test("tokenAuth() refuses a token for another audience or issuer", async () => {
  const auth = await tokenAuth(options);
  const audience = await refusal(auth, bearer(await sign({ aud: "other" })));
  assert.match(audience.message, /'aud'/);
  const issuer = await refusal(auth, bearer(await sign({ iss: "other" })));
  assert.match(issuer.message, /'iss'/);
});

Deno.test("tokenAuth() refuses unsigned, malformed and grant-less tokens", async () => {
  const auth = await tokenAuth(options);
  const unsigned = new UnsecuredJWT({ access: [] })
    .setIssuer("issuer").setAudience("registry.test").setExpirationTime("5m")
    .encode();
  await refusal(auth, bearer(unsigned));
  await refusal(auth, bearer("not-a-jwt"));
  await refusal(auth, bearer(await sign({ access: "everything" })));
  await refusal(auth, bearer(await sign({ exp: undefined })));
});

Deno.test("tokenAuth() refuses Basic credentials with a Bearer challenge", async () => {
  const auth = await tokenAuth(options);
  const request = new Request("http://127.0.0.1/v2/", {
    headers: { Authorization: "Basic " + btoa("alice:pw") },
  });
  const error = await refusal(auth, request);
  assert.equal(
    error.headers.get("WWW-Authenticate"),
    `Bearer realm="${realm}",service="registry.test"`,
  );
});

Deno.test("tokenAuth().challenge() names the scope the request needed", async () => {
  const auth = await tokenAuth(options);
  const request = new Request("http://127.0.0.1/v2/team/app/manifests/v1");
  assert.equal(
    await auth.challenge(request, {
      type: "repository",
      name: "team/app",
      actions: ["pull", "push"],
    }),
    `Bearer realm="${realm}",service="registry.test",scope="repository:team/app:pull,push"`,
  );
  assert.equal(
    await auth.challenge(new Request("http://127.0.0.1/v2/")),
    `Bearer realm="${realm}",service="registry.test"`,
  );
});

Deno.test("tokenAuth().challenge() names no scope that has no actions", async () => {
  const auth = await tokenAuth(options);
  const request = bearer(await sign(), "/v2/");
  assert.equal(
    await auth.challenge(request, {
      type: "registry",
      name: "base",
      actions: [],
    }),
    `Bearer realm="${realm}",service="registry.test"`,
  );
});

Deno.test("tokenAuth().challenge() says insufficient_scope to a valid token", async () => {
  const auth = await tokenAuth(options);
  const request = bearer(await sign());
  await auth.authenticate(request);
  const scope = {
    type: "repository" as const,
    name: "team/app",
    actions: ["pull", "push"],
  };
  assert.equal(
    await auth.challenge(request, scope),
    `Bearer realm="${realm}",service="registry.test",` +
      `scope="repository:team/app:pull,push",error="insufficient_scope"`,
  );
});

Deno.test("tokenAuth() picks the key of a key set by kid", async () => {
  const other = await generateKeyPair("ES256", { extractable: true });
  const jwks = {
    keys: [
      { ...await exportJWK(other.publicKey), kid: "old", alg: "ES256" },
      { ...await exportJWK(keys.publicKey), kid: "new", alg: "ES256" },
    ],
  };
  const auth = await tokenAuth({ ...options, publicKey: undefined, jwks });
  const token = await sign({}, keys.privateKey, "new");
  assert.equal((await auth.authenticate(bearer(token)))?.name, "alice");
  await refusal(auth, bearer(await sign({}, keys.privateKey, "old")));
});

Deno.test("tokenAuth() fetches a key set from jwksUrl", async () => {
  const jwks = { keys: [{ ...await exportJWK(keys.publicKey), kid: "k1" }] };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json(jwks),
  );
  try {
    const auth = await tokenAuth({
      ...options,
      publicKey: undefined,
      jwksUrl: `http://127.0.0.1:${server.addr.port}/jwks.json`,
    });
    const token = await sign({}, keys.privateKey, "k1");
    assert.equal((await auth.authenticate(bearer(token)))?.name, "alice");
  } finally {
    await server.shutdown();
  }
});

Deno.test("tokenAuth() needs exactly one key source", async () => {
  await assert.rejects(
    tokenAuth({ ...options, publicKey: undefined }),
    /exactly one of publicKey, jwks and jwksUrl/,
  );
  await assert.rejects(
    tokenAuth({ ...options, jwks: { keys: [] } }),
    /exactly one/,
  );
});
