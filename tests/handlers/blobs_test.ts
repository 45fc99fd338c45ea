import assert from "node:assert/strict";
import type { Auth } from "../../src/auth/types.ts";
import {
  assertError,
  bytes,
  digestOf,
  errorCode,
  pushBlob,
  testRegistry,
} from "./_helpers.ts";

const content = "0123456789abcdefghij";

Deno.test("GET blob answers 200 with the bytes, digest, length and cache headers", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "app", content);
  const response = await t.send("GET", `/v2/app/blobs/${digest}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Docker-Content-Digest"), digest);
  assert.equal(response.headers.get("Content-Length"), "20");
  assert.equal(
    response.headers.get("Content-Type"),
    "application/octet-stream",
  );
  assert.equal(response.headers.get("ETag"), `"${digest}"`);
  assert.equal(response.headers.get("Accept-Ranges"), "bytes");
  assert.equal(await response.text(), content);
});

Deno.test("HEAD blob answers 200 with Content-Length and no body", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "app", content);
  const response = await t.send("HEAD", `/v2/app/blobs/${digest}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Length"), "20");
  assert.equal(response.headers.get("Docker-Content-Digest"), digest);
  assert.equal(response.body, null);
});

Deno.test("GET blob with a Range answers 206 with that part", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "app", content);
  const cases: [string, string, string][] = [
    ["bytes=0-3", "0123", "bytes 0-3/20"],
    ["bytes=10-", "abcdefghij", "bytes 10-19/20"],
    ["bytes=-2", "ij", "bytes 18-19/20"],
    ["bytes=15-99", "fghij", "bytes 15-19/20"],
  ];
  for (const [range, body, contentRange] of cases) {
    const response = await t.send("GET", `/v2/app/blobs/${digest}`, {
      headers: { Range: range },
    });
    assert.equal(response.status, 206, range);
    assert.equal(response.headers.get("Content-Range"), contentRange);
    assert.equal(response.headers.get("Content-Length"), String(body.length));
    assert.equal(await response.text(), body);
  }
});

Deno.test("HEAD blob with a Range answers 206 with the part's length and no body", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "app", content);
  const response = await t.send("HEAD", `/v2/app/blobs/${digest}`, {
    headers: { Range: "bytes=2-5" },
  });
  assert.equal(response.status, 206);
  assert.equal(response.headers.get("Content-Length"), "4");
  assert.equal(response.body, null);
});

Deno.test("GET blob with an unsatisfiable Range answers 416 with the size", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "app", content);
  for (const range of ["bytes=20-", "bytes=30-40", "bytes=5-2"]) {
    const response = await t.send("GET", `/v2/app/blobs/${digest}`, {
      headers: { Range: range },
    });
    assert.equal(response.status, 416, range);
    assert.equal(response.headers.get("Content-Range"), "bytes */20");
    assert.equal(await errorCode(response), "SIZE_INVALID");
  }
});

Deno.test("GET blob ignores a Range it does not serve and sends it whole", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "app", content);
  const response = await t.send("GET", `/v2/app/blobs/${digest}`, {
    headers: { Range: "bytes=0-1,4-5" },
  });
  assert.equal(response.status, 200);
  assert.equal(await response.text(), content);
});

Deno.test("GET and HEAD of an unknown blob answer 404 BLOB_UNKNOWN", async () => {
  const t = testRegistry();
  await pushBlob(t, "app", "something");
  const digest = digestOf("never pushed");
  const get = await t.send("GET", `/v2/app/blobs/${digest}`);
  assert.equal(get.status, 404);
  const body = await get.json();
  assert.equal(body.errors[0].code, "BLOB_UNKNOWN");
  assert.deepEqual(body.errors[0].detail, { digest });
  const head = await t.send("HEAD", `/v2/app/blobs/${digest}`);
  assert.equal(head.status, 404);
  assert.equal(head.body, null);
});

Deno.test("GET blob with a malformed digest answers 400 DIGEST_INVALID", async () => {
  const t = testRegistry();
  const response = await t.send("GET", "/v2/app/blobs/sha256:nothex");
  await assertError(response, 400, "DIGEST_INVALID");
});

Deno.test("a blob pushed to one repository cannot be read through another", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "owner/private", content);
  const response = await t.send("GET", `/v2/other/blobs/${digest}`);
  await assertError(response, 404, "BLOB_UNKNOWN");
  const head = await t.send("HEAD", `/v2/other/blobs/${digest}`);
  assert.equal(head.status, 404);
});

Deno.test("a zero-byte blob is pushed, read and ranged like any other", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "app", new Uint8Array(0));
  assert.equal(digest, digestOf(new Uint8Array(0)));
  const get = await t.send("GET", `/v2/app/blobs/${digest}`);
  assert.equal(get.status, 200);
  assert.equal(get.headers.get("Content-Length"), "0");
  assert.equal((await get.arrayBuffer()).byteLength, 0);
  const head = await t.send("HEAD", `/v2/app/blobs/${digest}`);
  assert.equal(head.headers.get("Content-Length"), "0");
  const ranged = await t.send("GET", `/v2/app/blobs/${digest}`, {
    headers: { Range: "bytes=0-" },
  });
  assert.equal(ranged.status, 416);
  assert.equal(ranged.headers.get("Content-Range"), "bytes */0");
  await ranged.body?.cancel();
});

Deno.test("a sha512 blob is served under its sha512 digest", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "app", content, "sha512");
  assert.match(digest, /^sha512:[0-9a-f]{128}$/);
  const response = await t.send("GET", `/v2/app/blobs/${digest}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Docker-Content-Digest"), digest);
  assert.equal(await response.text(), content);
});

Deno.test("DELETE blob answers 202, after which it is 404 in that repository only", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "a", content);
  await pushBlob(t, "b", content);
  const response = await t.send("DELETE", `/v2/a/blobs/${digest}`);
  assert.equal(response.status, 202);
  assert.equal((await t.send("HEAD", `/v2/a/blobs/${digest}`)).status, 404);
  assert.equal((await t.send("HEAD", `/v2/b/blobs/${digest}`)).status, 200);
});

Deno.test("DELETE of an unknown blob answers 404 BLOB_UNKNOWN", async () => {
  const t = testRegistry();
  const response = await t.send("DELETE", `/v2/a/blobs/${digestOf("none")}`);
  await assertError(response, 404, "BLOB_UNKNOWN");
});

Deno.test("DELETE blob answers 405 UNSUPPORTED when deletion is disabled or read-only", async () => {
  for (const options of [{ deleteEnabled: false }, { readOnly: true }]) {
    const t = testRegistry(options);
    const response = await t.send("DELETE", `/v2/a/blobs/${digestOf("x")}`);
    await assertError(response, 405, "UNSUPPORTED");
  }
});

Deno.test("other methods on a blob answer 405 UNSUPPORTED", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "a", content);
  for (const method of ["PUT", "POST", "PATCH"]) {
    const response = await t.send(method, `/v2/a/blobs/${digest}`, {
      body: bytes("x"),
    });
    await assertError(response, 405, "UNSUPPORTED");
  }
});

Deno.test("HEAD blob is open to a caller who may only push", async () => {
  const t0 = testRegistry();
  const { digest } = await pushBlob(t0, "a", content);
  const pushOnly: Auth = {
    authenticate: () => ({ name: "ci" }),
    permissions: () => ["push"],
    challenge: () => 'Basic realm="test"',
  };
  const t = testRegistry({ storage: t0.storage, auth: pushOnly });
  const head = await t.send("HEAD", `/v2/a/blobs/${digest}`);
  assert.equal(head.status, 200);
  const get = await t.send("GET", `/v2/a/blobs/${digest}`);
  await assertError(get, 403, "DENIED");
});
