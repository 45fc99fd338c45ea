/**
 * Token auth through the registry's `fetch` handler, as clients meet it:
 * the `Bearer` challenge, the token endpoint narrowing scopes to what the
 * caller may have, tokens used within and beyond their scope, tokens that
 * must be refused (expired, foreign key, wrong audience or issuer), and
 * the catalog scope.
 *
 * @module
 */

import assert from "node:assert/strict";
import { decodeJwt, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { formatBasicAuthorization } from "../../src/auth/basic_header.ts";
import { tokenAuthWithServer } from "../../src/auth/token_with_server.ts";
import type { Auth } from "../../src/auth/types.ts";
import { userTable } from "../../src/auth/users.ts";
import {
  assertError,
  pushImage,
  type TestRegistry,
  testRegistry,
} from "./_helpers.ts";

const keys = await generateKeyPair("ES256", { extractable: true });
const realm = "http://registry.test/token";
const baseChallenge = `Bearer realm="${realm}",service="registry"`;

/** alice and bob push to team-a/*, everyone pulls public/*, the admin
 * does everything; carol is a user with no rule of her own. */
function users(): Auth {
  return userTable({
    users: {
      alice: { password: "alice-pw" },
      bob: { password: "bob-pw" },
      carol: { password: "carol-pw" },
      admin: { password: "admin-pw" },
    },
    policy: {
      groups: { "team-a": ["alice", "bob"] },
      rules: [
        {
          repositories: "team-a/*",
          groups: ["team-a"],
          actions: ["pull", "push"],
        },
        {
          repositories: "*",
          users: ["admin"],
          actions: ["pull", "push", "delete"],
        },
        { repositories: "public/*", anonymous: true, actions: ["pull"] },
      ],
    },
  });
}

async function tokenRegistry(authenticate: Auth = users()) {
  const auth = await tokenAuthWithServer({
    authenticate,
    privateKey: keys.privateKey,
  });
  return testRegistry({ auth });
}

/** Asks the registry's token endpoint for a token. */
async function fetchToken(
  t: TestRegistry,
  query: string,
  user?: string,
  password = `${user}-pw`,
): Promise<string> {
  const headers: HeadersInit = user
    ? { Authorization: formatBasicAuthorization(user, password) }
    : {};
  const response = await t.send("GET", `/token?${query}`, { headers });
  assert.equal(response.status, 200, `token for ${query}`);
  const body = await response.json();
  assert.equal(body.access_token, body.token);
  return body.token;
}

/** The same registry, every request sent with the bearer token. */
function bearer(t: TestRegistry, token: string): TestRegistry {
  return {
    ...t,
    send: (method, path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("Authorization", `Bearer ${token}`);
      return t.send(method, path, { ...init, headers });
    },
  };
}

/** A token as the registry would issue it, with `claims` changed. */
async function craft(claims: JWTPayload, key = keys.privateKey) {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({
    iss: "registry",
    aud: "registry",
    sub: "alice",
    iat: now,
    nbf: now,
    exp: now + 300,
    access: [{ type: "repository", name: "team-a/app", actions: ["pull"] }],
    ...claims,
  }).setProtectedHeader({ alg: "ES256" }).sign(key);
}

Deno.test("token auth: GET /v2/ without a token gets 401 with a Bearer challenge", async () => {
  const t = await tokenRegistry();
  const response = await t.send("GET", "/v2/");
  await assertError(response, 401, "UNAUTHORIZED");
  assert.equal(response.headers.get("WWW-Authenticate"), baseChallenge);

  const pull = await t.send("GET", "/v2/public/base/manifests/v1");
  await assertError(pull, 401, "UNAUTHORIZED");
  assert.equal(
    pull.headers.get("WWW-Authenticate"),
    `${baseChallenge},scope="repository:public/base:pull"`,
  );
});

Deno.test("token auth: GET /token narrows the scope asked for to what the caller may have", async () => {
  const t = await tokenRegistry();
  const scope = "scope=repository:team-a/app:pull,push,delete";

  const alice = decodeJwt(
    await fetchToken(t, `service=registry&${scope}`, "alice"),
  );
  assert.equal(alice.sub, "alice");
  assert.deepEqual(alice.access, [
    { type: "repository", name: "team-a/app", actions: ["pull", "push"] },
  ]);
  const carol = decodeJwt(await fetchToken(t, scope, "carol"));
  assert.deepEqual(carol.access, []);
  const anonymous = decodeJwt(
    await fetchToken(t, "scope=repository:public/base:pull,push"),
  );
  assert.deepEqual(anonymous.access, [
    { type: "repository", name: "public/base", actions: ["pull"] },
  ]);

  const wrong = await t.send("GET", `/token?${scope}`, {
    headers: { Authorization: formatBasicAuthorization("alice", "wrong") },
  });
  await assertError(wrong, 401, "UNAUTHORIZED");
  const otherService = await t.send("GET", `/token?service=other&${scope}`);
  assert.equal(otherService.status, 400);
  await otherService.body?.cancel();
});

Deno.test("token auth: a token pushes and pulls within its scope", async () => {
  const t = await tokenRegistry();
  const token = await fetchToken(
    t,
    "scope=repository:team-a/app:pull,push",
    "alice",
  );
  const alice = bearer(t, token);

  assert.equal((await alice.send("GET", "/v2/")).status, 200);
  const image = await pushImage(alice, "team-a/app", { reference: "v1" });
  const get = await alice.send("GET", "/v2/team-a/app/manifests/v1");
  assert.equal(get.status, 200);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), image.bytes);
});

Deno.test("token auth: a request beyond the token's scope gets 401 insufficient_scope naming the scope", async () => {
  const t = await tokenRegistry();
  const token = await fetchToken(
    t,
    "scope=repository:team-a/app:pull",
    "alice",
  );
  const alice = bearer(t, token);

  const push = await alice.send("POST", "/v2/team-a/app/blobs/uploads/");
  await assertError(push, 401, "UNAUTHORIZED");
  assert.equal(
    push.headers.get("WWW-Authenticate"),
    `${baseChallenge},scope="repository:team-a/app:push",` +
      'error="insufficient_scope"',
  );
  const elsewhere = await alice.send("GET", "/v2/team-a/other/tags/list");
  await assertError(elsewhere, 401, "UNAUTHORIZED");
  assert.match(
    elsewhere.headers.get("WWW-Authenticate")!,
    /scope="repository:team-a\/other:pull",error="insufficient_scope"/,
  );

  // The client's next move: a token for the scope it was told it lacks.
  const wider = await fetchToken(
    t,
    "scope=repository:team-a/app:push",
    "alice",
  );
  const retry = await bearer(t, wider).send(
    "POST",
    "/v2/team-a/app/blobs/uploads/",
  );
  assert.equal(retry.status, 202);
});

Deno.test("token auth: expired, foreign-signed and misaddressed tokens get 401 invalid_token", async () => {
  const t = await tokenRegistry();
  const now = Math.floor(Date.now() / 1000);
  const other = await generateKeyPair("ES256");
  const tokens = {
    expired: await craft({ iat: now - 600, nbf: now - 600, exp: now - 300 }),
    "signed by another key": await craft({}, other.privateKey),
    "wrong audience": await craft({ aud: "elsewhere" }),
    "wrong issuer": await craft({ iss: "elsewhere" }),
  };
  assert.equal(
    (await bearer(t, await craft({})).send("GET", "/v2/")).status,
    200,
    "the crafted token is otherwise valid",
  );

  for (const [what, token] of Object.entries(tokens)) {
    const response = await bearer(t, token).send(
      "GET",
      "/v2/team-a/app/tags/list",
    );
    await assertError(response, 401, "UNAUTHORIZED");
    assert.equal(
      response.headers.get("WWW-Authenticate"),
      `${baseChallenge},error="invalid_token"`,
      what,
    );
  }
});

Deno.test("token auth: one token request may carry several scopes", async () => {
  const t = await tokenRegistry();
  const admin = bearer(
    t,
    await fetchToken(t, "scope=repository:public/base:push", "admin"),
  );
  await pushImage(admin, "public/base", { reference: "v1" });

  for (
    const query of [
      "scope=repository:team-a/app:pull,push&scope=repository:public/base:pull",
      "scope=repository:team-a/app:pull,push%20repository:public/base:pull",
    ]
  ) {
    const token = await fetchToken(t, query, "alice");
    assert.deepEqual(decodeJwt(token).access, [
      { type: "repository", name: "team-a/app", actions: ["pull", "push"] },
      { type: "repository", name: "public/base", actions: ["pull"] },
    ]);
    const alice = bearer(t, token);
    await pushImage(alice, "team-a/app", { reference: "v1" });
    const pull = await alice.send("GET", "/v2/public/base/manifests/v1");
    assert.equal(pull.status, 200);
    await pull.body?.cancel();
  }
});

Deno.test("token auth: registry:catalog:* lists the whole catalog only for callers who may see it", async () => {
  const t = await tokenRegistry(userTable({
    users: {
      admin: { password: "admin-pw" },
      pusher: { password: "pusher-pw", permissions: ["push"] },
    },
  }));
  const admin = await fetchToken(
    t,
    "scope=repository:b/app:push&scope=repository:a/app:push",
    "admin",
  );
  await pushImage(bearer(t, admin), "a/app");
  await pushImage(bearer(t, admin), "b/app");

  const anonymous = await t.send("GET", "/v2/_catalog");
  await assertError(anonymous, 401, "UNAUTHORIZED");
  assert.equal(
    anonymous.headers.get("WWW-Authenticate"),
    `${baseChallenge},scope="registry:catalog:*"`,
  );
  const catalogToken = await fetchToken(t, "scope=registry:catalog:*", "admin");
  assert.deepEqual(decodeJwt(catalogToken).access, [
    { type: "registry", name: "catalog", actions: ["*"] },
  ]);
  const full = await bearer(t, catalogToken).send("GET", "/v2/_catalog");
  assert.deepEqual((await full.json()).repositories, ["a/app", "b/app"]);

  const pusher = await fetchToken(t, "scope=registry:catalog:*", "pusher");
  assert.deepEqual(decodeJwt(pusher).access, []);
  const none = await bearer(t, pusher).send("GET", "/v2/_catalog");
  assert.deepEqual((await none.json()).repositories, []);
});

Deno.test("token auth: under a policy the catalog shows the repositories the token may pull", async () => {
  const t = await tokenRegistry();
  const admin = await fetchToken(
    t,
    "scope=repository:team-a/app:push&scope=repository:private/app:push",
    "admin",
  );
  await pushImage(bearer(t, admin), "team-a/app");
  await pushImage(bearer(t, admin), "private/app");

  const token = await fetchToken(
    t,
    "scope=registry:catalog:*&scope=repository:team-a/app:pull" +
      "&scope=repository:private/app:pull",
    "alice",
  );
  const catalog = await bearer(t, token).send("GET", "/v2/_catalog");
  assert.deepEqual((await catalog.json()).repositories, ["team-a/app"]);
});
