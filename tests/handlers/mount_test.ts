import assert from "node:assert/strict";
import type { Action, Auth } from "../../src/auth/types.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";
import { digestOf, pushBlob, testRegistry } from "./_helpers.ts";

/** An auth where the caller may do everything except read `secret`. */
function allExcept(secret: string): Auth {
  return {
    authenticate: () => ({ name: "user" }),
    permissions: (_identity, repository): Action[] =>
      repository === secret ? ["push"] : ["pull", "push"],
    challenge: () => 'Basic realm="test"',
  };
}

Deno.test("POST ?mount=&from= links the blob: 201 with a pullable Location", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "source", "shared layer");
  const response = await t.send(
    "POST",
    `/v2/target/blobs/uploads/?mount=${digest}&from=source`,
  );
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("Location"), `/v2/target/blobs/${digest}`);
  assert.equal(response.headers.get("Docker-Content-Digest"), digest);
  const get = await t.send("GET", response.headers.get("Location")!);
  assert.equal(get.status, 200);
  assert.equal(await get.text(), "shared layer");
});

Deno.test("a mount from a repository the caller cannot read falls back to a session (202)", async () => {
  const storage = new MemoryStorage();
  const { digest } = await pushBlob(testRegistry({ storage }), "secret", "x");
  const t = testRegistry({ storage, auth: allExcept("secret") });
  const response = await t.send(
    "POST",
    `/v2/target/blobs/uploads/?mount=${digest}&from=secret`,
  );
  assert.equal(response.status, 202);
  assert.match(
    response.headers.get("Location") ?? "",
    /^\/v2\/target\/blobs\/uploads\/[0-9a-f-]{36}$/,
  );
  assert.equal(
    (await t.send("HEAD", `/v2/target/blobs/${digest}`)).status,
    404,
  );
});

Deno.test("a mount of a blob the source does not hold falls back to a session (202)", async () => {
  const t = testRegistry();
  await pushBlob(t, "source", "something");
  await pushBlob(t, "elsewhere", "only here");
  for (
    const query of [
      `mount=${digestOf("never pushed")}&from=source`,
      `mount=${digestOf("only here")}&from=source`,
      `mount=${digestOf("never pushed")}`,
      "mount=not-a-digest&from=source",
      `mount=${digestOf("only here")}&from=Not/A/Name`,
    ]
  ) {
    const response = await t.send("POST", `/v2/target/blobs/uploads/?${query}`);
    assert.equal(response.status, 202, query);
    assert.match(response.headers.get("Location") ?? "", /\/blobs\/uploads\//);
  }
});

Deno.test("a mount without from finds a readable repository holding the blob (201)", async () => {
  const t = testRegistry();
  const { digest } = await pushBlob(t, "somewhere/else", "found it");
  const response = await t.send(
    "POST",
    `/v2/target/blobs/uploads/?mount=${digest}`,
  );
  assert.equal(response.status, 201);
  assert.equal(
    (await t.send("HEAD", `/v2/target/blobs/${digest}`)).status,
    200,
  );
});

Deno.test("a mount without from never takes the blob from a repository the caller cannot read", async () => {
  const storage = new MemoryStorage();
  const { digest } = await pushBlob(testRegistry({ storage }), "secret", "x");
  const t = testRegistry({ storage, auth: allExcept("secret") });
  const response = await t.send(
    "POST",
    `/v2/target/blobs/uploads/?mount=${digest}`,
  );
  assert.equal(response.status, 202);
});

Deno.test("the session a failed mount opens completes a normal upload", async () => {
  const t = testRegistry();
  const content = new TextEncoder().encode("uploaded after all");
  const digest = digestOf(content);
  const post = await t.send(
    "POST",
    `/v2/target/blobs/uploads/?mount=${digest}&from=source`,
  );
  assert.equal(post.status, 202);
  const put = await t.send(
    "PUT",
    `${post.headers.get("Location")}?digest=${digest}`,
    { body: content },
  );
  assert.equal(put.status, 201);
});
