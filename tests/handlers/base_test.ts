import assert from "node:assert/strict";
import type { Auth } from "../../src/auth/types.ts";
import { assertError, testRegistry } from "./_helpers.ts";

Deno.test("GET /v2/ answers 200 with a JSON body and the API version header", async () => {
  const t = testRegistry();
  const response = await t.send("GET", "/v2/");
  assert.equal(response.status, 200);
  assert.equal(
    response.headers.get("Docker-Distribution-API-Version"),
    "registry/2.0",
  );
  assert.equal(response.headers.get("Content-Type"), "application/json");
  assert.deepEqual(await response.json(), {});
});

Deno.test("GET /v2 without the trailing slash is the same endpoint", async () => {
  const response = await testRegistry().send("GET", "/v2");
  assert.equal(response.status, 200);
  await response.body?.cancel();
});

Deno.test("HEAD /v2/ answers 200 with no body", async () => {
  const response = await testRegistry().send("HEAD", "/v2/");
  assert.equal(response.status, 200);
  assert.equal(response.body, null);
});

Deno.test("POST /v2/ answers 405 UNSUPPORTED", async () => {
  const response = await testRegistry().send("POST", "/v2/");
  await assertError(response, 405, "UNSUPPORTED");
});

Deno.test("GET /v2/ answers 401 with a challenge when the auth needs a login", async () => {
  const auth: Auth = {
    authenticate: () => undefined,
    permissions: () => [],
    challenge: () => 'Basic realm="test"',
    anonymousBase: false,
  };
  const response = await testRegistry({ auth }).send("GET", "/v2/");
  await assertError(response, 401, "UNAUTHORIZED");
  assert.equal(response.headers.get("WWW-Authenticate"), 'Basic realm="test"');
  assert.equal(
    response.headers.get("Docker-Distribution-API-Version"),
    "registry/2.0",
  );
});

Deno.test("every response carries a request id, the caller's when it is plain", async () => {
  const t = testRegistry();
  const given = await t.send("GET", "/v2/", {
    headers: { "X-Request-Id": "abc-123" },
  });
  assert.equal(given.headers.get("X-Request-Id"), "abc-123");
  const made = await t.send("GET", "/v2/", {
    headers: { "X-Request-Id": "has spaces\tand tabs" },
  });
  assert.match(made.headers.get("X-Request-Id") ?? "", /^[0-9a-f-]{36}$/);
  await given.body?.cancel();
  await made.body?.cancel();
});
