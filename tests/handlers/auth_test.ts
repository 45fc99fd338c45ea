/**
 * Auth through the registry's `fetch` handler with the Basic
 * authenticators: a user table under an access policy (users, groups,
 * globs, anonymous rules) and the master password. Each rule is checked
 * for the allowed, the refused-but-known (403) and the anonymous or
 * wrongly credentialed (401) caller, on every kind of request.
 *
 * @module
 */

import assert from "node:assert/strict";
import { formatBasicAuthorization } from "../../src/auth/basic_header.ts";
import type { Policy } from "../../src/auth/policy.ts";
import type { Auth } from "../../src/auth/types.ts";
import { anonymousWithMaster, userTable } from "../../src/auth/users.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";
import {
  assertError,
  digestOf,
  pushBlob,
  pushImage,
  startUpload,
  type TestRegistry,
  testRegistry,
} from "./_helpers.ts";

/** Team A pushes to its repositories, a drop box takes pushes it cannot
 * read back, the admin does everything, and anonymous callers pull the
 * public repositories and team A's. */
const policy: Policy = {
  groups: { "team-a": ["alice", "bob"] },
  rules: [
    { repositories: "team-a/*", groups: ["team-a"], actions: ["pull", "push"] },
    { repositories: "drop/*", users: ["writer"], actions: ["push"] },
    { repositories: "*", groups: ["ops"], actions: ["pull", "push"] },
    {
      repositories: "*",
      users: ["admin"],
      actions: ["pull", "push", "delete"],
    },
    {
      repositories: ["public/*", "team-a/*"],
      anonymous: true,
      actions: ["pull"],
    },
  ],
};

const passwords: Record<string, string> = {
  alice: "alice-pw",
  bob: "bob-pw",
  carol: "carol-pw",
  dave: "dave-pw",
  writer: "writer-pw",
  admin: "admin-pw",
};

function policyAuth(): Auth {
  const users = Object.fromEntries(
    Object.entries(passwords).map(([name, password]) => [name, { password }]),
  );
  // dave is in "ops" through the user table, not through the policy.
  return userTable({
    users: { ...users, dave: { password: "dave-pw", groups: ["ops"] } },
    policy,
  });
}

/** The same registry, every request sent with Basic credentials. */
function as(t: TestRegistry, user: string, password?: string): TestRegistry {
  const authorization = formatBasicAuthorization(
    user,
    password ?? passwords[user],
  );
  return {
    ...t,
    send: (method, path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("Authorization", authorization);
      return t.send(method, path, { ...init, headers });
    },
  };
}

function policyRegistry(storage = new MemoryStorage()): TestRegistry {
  return testRegistry({ storage, auth: policyAuth() });
}

Deno.test("Basic auth: a user the policy allows pushes and pulls an image", async () => {
  const alice = as(policyRegistry(), "alice");
  const image = await pushImage(alice, "team-a/app", { reference: "v1" });

  const get = await alice.send("GET", "/v2/team-a/app/manifests/v1");
  assert.equal(get.status, 200);
  assert.equal(get.headers.get("Docker-Content-Digest"), image.digest);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), image.bytes);
  const tags = await alice.send("GET", "/v2/team-a/app/tags/list");
  assert.deepEqual((await tags.json()).tags, ["v1"]);
});

Deno.test("Basic auth: a known user lacking the action gets 403 DENIED", async () => {
  const t = policyRegistry();
  await pushImage(as(t, "admin"), "team-a/app", { reference: "v1" });
  await pushImage(as(t, "admin"), "private/app", { reference: "v1" });

  // carol may pull team-a/* (the anonymous rule covers everyone) but not push.
  const push = await as(t, "carol").send(
    "POST",
    "/v2/team-a/app/blobs/uploads/",
  );
  await assertError(push, 403, "DENIED");
  const put = await as(t, "carol").send("PUT", "/v2/team-a/app/manifests/v2", {
    body: "{}",
    headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
  });
  await assertError(put, 403, "DENIED");
  // No rule gives alice anything on private/*.
  const pull = await as(t, "alice").send("GET", "/v2/private/app/manifests/v1");
  await assertError(pull, 403, "DENIED");
  assert.equal(pull.headers.get("WWW-Authenticate"), null);
  const tags = await as(t, "alice").send("GET", "/v2/private/app/tags/list");
  await assertError(tags, 403, "DENIED");
});

Deno.test("Basic auth: an anonymous caller is challenged with 401 Basic", async () => {
  const t = policyRegistry();
  await pushImage(as(t, "admin"), "private/app", { reference: "v1" });
  const challenge = 'Basic realm="registry"';

  const base = await t.send("GET", "/v2/");
  await assertError(base, 401, "UNAUTHORIZED");
  assert.equal(base.headers.get("WWW-Authenticate"), challenge);
  for (
    const [method, path] of [
      ["GET", "/v2/private/app/manifests/v1"],
      ["POST", "/v2/team-a/app/blobs/uploads/"],
      ["GET", "/v2/_catalog"],
    ]
  ) {
    const response = await t.send(method, path);
    await assertError(response, 401, "UNAUTHORIZED");
    assert.equal(response.headers.get("WWW-Authenticate"), challenge, path);
  }
});

Deno.test("Basic auth: anonymous pulls work where the policy allows them", async () => {
  const t = policyRegistry();
  const image = await pushImage(as(t, "admin"), "public/base", {
    reference: "v1",
  });
  const layer = image.manifest.layers as { digest: string }[];

  const manifest = await t.send("GET", "/v2/public/base/manifests/v1");
  assert.equal(manifest.status, 200);
  await manifest.body?.cancel();
  const blob = await t.send("GET", `/v2/public/base/blobs/${layer[0].digest}`);
  assert.equal(blob.status, 200);
  await blob.body?.cancel();
});

Deno.test("Basic auth: a wrong password or unknown user gets 401, never anonymous access", async () => {
  const t = policyRegistry();
  await pushImage(as(t, "admin"), "public/base", { reference: "v1" });

  for (
    const caller of [as(t, "alice", "wrong"), as(t, "mallory", "alice-pw")]
  ) {
    for (const path of ["/v2/", "/v2/public/base/manifests/v1"]) {
      const response = await caller.send("GET", path);
      await assertError(response, 401, "UNAUTHORIZED");
      assert.equal(
        response.headers.get("WWW-Authenticate"),
        'Basic realm="registry"',
      );
    }
  }
});

Deno.test("master password: every kind of authenticated request works", async () => {
  const t = testRegistry({
    auth: anonymousWithMaster({ anonymous: ["pull"], password: "s3cret" }),
  });
  const master = as(t, "any-name", "s3cret");

  assert.equal((await master.send("GET", "/v2/")).status, 200);
  const monolithic = await pushBlob(master, "team/app", "one blob");
  const chunks = ["first chunk, ", "second chunk"];
  let location = await startUpload(master, "team/app");
  let offset = 0;
  for (const chunk of chunks) {
    const patch = await master.send("PATCH", location, {
      body: chunk,
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Range": `${offset}-${offset + chunk.length - 1}`,
      },
    });
    assert.equal(patch.status, 202);
    location = patch.headers.get("Location")!;
    offset += chunk.length;
  }
  const chunked = digestOf(chunks.join(""));
  const put = await master.send(
    "PUT",
    `${location}${location.includes("?") ? "&" : "?"}digest=${chunked}`,
  );
  assert.equal(put.status, 201);
  const image = await pushImage(master, "team/app", { reference: "v1" });

  const tags = await master.send("GET", "/v2/team/app/tags/list");
  assert.deepEqual((await tags.json()).tags, ["v1"]);
  const catalog = await master.send("GET", "/v2/_catalog");
  assert.deepEqual((await catalog.json()).repositories, ["team/app"]);
  for (const digest of [monolithic.digest, chunked]) {
    const blob = await master.send("GET", `/v2/team/app/blobs/${digest}`);
    assert.equal(blob.status, 200);
    await blob.body?.cancel();
  }
  const mount = await master.send(
    "POST",
    `/v2/other/app/blobs/uploads/?mount=${chunked}&from=team/app`,
  );
  assert.equal(mount.status, 201);
  const deleteBlob = await master.send(
    "DELETE",
    `/v2/team/app/blobs/${monolithic.digest}`,
  );
  assert.equal(deleteBlob.status, 202);
  const deleteManifest = await master.send(
    "DELETE",
    `/v2/team/app/manifests/${image.digest}`,
  );
  assert.equal(deleteManifest.status, 202);
});

Deno.test("master password: anonymous callers pull but may not push", async () => {
  const t = testRegistry({
    auth: anonymousWithMaster({ anonymous: ["pull"], password: "s3cret" }),
  });
  await pushImage(as(t, "admin", "s3cret"), "team/app", { reference: "v1" });

  // Logging in gains something, so /v2/ asks for credentials.
  await assertError(await t.send("GET", "/v2/"), 401, "UNAUTHORIZED");
  const pull = await t.send("GET", "/v2/team/app/manifests/v1");
  assert.equal(pull.status, 200);
  await pull.body?.cancel();
  const push = await t.send("POST", "/v2/team/app/blobs/uploads/");
  await assertError(push, 401, "UNAUTHORIZED");
  assert.equal(push.headers.get("WWW-Authenticate"), 'Basic realm="registry"');
  const wrong = await as(t, "admin", "guess").send(
    "GET",
    "/v2/team/app/tags/list",
  );
  await assertError(wrong, 401, "UNAUTHORIZED");
});

Deno.test("Basic auth: a push-only user pushes a whole image but cannot read it back", async () => {
  const t = policyRegistry();
  const writer = as(t, "writer");
  const image = await pushImage(writer, "drop/box", { reference: "v1" });
  const config = (image.manifest.config as { digest: string }).digest;

  // The existence checks a client makes before uploading are open to it.
  const headBlob = await writer.send("HEAD", `/v2/drop/box/blobs/${config}`);
  assert.equal(headBlob.status, 200);
  const missing = digestOf("never pushed");
  const headMissing = await writer.send(
    "HEAD",
    `/v2/drop/box/blobs/${missing}`,
  );
  assert.equal(headMissing.status, 404);
  const headManifest = await writer.send("HEAD", "/v2/drop/box/manifests/v1");
  assert.equal(headManifest.status, 200);
  assert.equal(headManifest.headers.get("Docker-Content-Digest"), image.digest);

  const getBlob = await writer.send("GET", `/v2/drop/box/blobs/${config}`);
  await assertError(getBlob, 403, "DENIED");
  const getManifest = await writer.send("GET", "/v2/drop/box/manifests/v1");
  await assertError(getManifest, 403, "DENIED");
  const tags = await writer.send("GET", "/v2/drop/box/tags/list");
  await assertError(tags, 403, "DENIED");
});

Deno.test("Basic auth: policy groups and nested globs decide per repository", async () => {
  const t = policyRegistry();
  // bob is in team-a through the policy's groups, dave in ops through the
  // user table; `team-a/*` covers names with more than one slash.
  await pushImage(as(t, "bob"), "team-a/tools/deep/app", { reference: "v1" });
  await pushImage(as(t, "dave"), "anything/at/all", { reference: "v1" });

  const bobElsewhere = await as(t, "bob").send(
    "POST",
    "/v2/team-b/app/blobs/uploads/",
  );
  await assertError(bobElsewhere, 403, "DENIED");
  // "team-a/*" does not cover "team-a" itself, nor "team-ab/app".
  for (const name of ["team-a", "team-ab/app"]) {
    const response = await as(t, "alice").send(
      "POST",
      `/v2/${name}/blobs/uploads/`,
    );
    await assertError(response, 403, "DENIED");
  }
  // dave's ops rule comes before the admin rule and has no delete.
  const del = await as(t, "dave").send(
    "DELETE",
    "/v2/anything/at/all/manifests/v1",
  );
  await assertError(del, 403, "DENIED");
});

Deno.test("Basic auth: the catalog lists only what the caller may pull", async () => {
  const t = policyRegistry();
  const admin = as(t, "admin");
  for (const name of ["drop/box", "private/app", "public/base", "team-a/app"]) {
    await pushImage(admin, name, { reference: "v1" });
  }
  const catalog = async (caller: TestRegistry) => {
    const response = await caller.send("GET", "/v2/_catalog");
    assert.equal(response.status, 200);
    return (await response.json()).repositories;
  };

  assert.deepEqual(await catalog(admin), [
    "drop/box",
    "private/app",
    "public/base",
    "team-a/app",
  ]);
  assert.deepEqual(await catalog(as(t, "alice")), [
    "public/base",
    "team-a/app",
  ]);
  // writer may push to drop/box but not pull it, so it is not listed.
  assert.deepEqual(await catalog(as(t, "writer")), [
    "public/base",
    "team-a/app",
  ]);
});

Deno.test("Basic auth: a mount from a repository the caller cannot read falls back to an upload (202)", async () => {
  const t = policyRegistry();
  const secret = await pushBlob(as(t, "admin"), "private/app", "secret layer");
  const open = await pushBlob(as(t, "admin"), "public/base", "public layer");
  const alice = as(t, "alice");

  for (
    const query of [
      `mount=${secret.digest}&from=private/app`,
      `mount=${secret.digest}`,
    ]
  ) {
    const response = await alice.send(
      "POST",
      `/v2/team-a/app/blobs/uploads/?${query}`,
    );
    assert.equal(response.status, 202, query);
    assert.match(response.headers.get("Location") ?? "", /blobs\/uploads\//);
  }
  const head = await alice.send(
    "HEAD",
    `/v2/team-a/app/blobs/${secret.digest}`,
  );
  assert.equal(head.status, 404);

  const mounted = await alice.send(
    "POST",
    `/v2/team-a/app/blobs/uploads/?mount=${open.digest}&from=public/base`,
  );
  assert.equal(mounted.status, 201);
});

Deno.test("Basic auth: deleting needs the delete action", async () => {
  const t = policyRegistry();
  const alice = as(t, "alice");
  const image = await pushImage(alice, "team-a/app", { reference: "v1" });
  const config = (image.manifest.config as { digest: string }).digest;

  for (
    const path of [
      `/v2/team-a/app/manifests/${image.digest}`,
      "/v2/team-a/app/manifests/v1",
      `/v2/team-a/app/blobs/${config}`,
    ]
  ) {
    await assertError(await alice.send("DELETE", path), 403, "DENIED");
    const anonymous = await t.send("DELETE", path);
    await assertError(anonymous, 401, "UNAUTHORIZED");
  }
  const admin = as(t, "admin");
  const tag = await admin.send("DELETE", "/v2/team-a/app/manifests/v1");
  assert.equal(tag.status, 202);
  const blob = await admin.send("DELETE", `/v2/team-a/app/blobs/${config}`);
  assert.equal(blob.status, 202);
  const gone = await alice.send("GET", `/v2/team-a/app/blobs/${config}`);
  await assertError(gone, 404, "BLOB_UNKNOWN");
});
