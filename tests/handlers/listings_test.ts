import assert from "node:assert/strict";
import type { Action, Auth } from "../../src/auth/types.ts";
import {
  assertError,
  descriptor,
  digestOf,
  pushBlob,
  pushImage,
  pushManifest,
  type TestRegistry,
  testRegistry,
  types,
} from "./_helpers.ts";

/** Tags one image in `repository` under each of `tags`. */
async function tagAll(
  t: TestRegistry,
  repository: string,
  tags: string[],
): Promise<void> {
  const image = await pushImage(t, repository);
  for (const tag of tags) {
    const pushed = await pushManifest(t, repository, tag, image.bytes);
    assert.equal(pushed.response.status, 201);
  }
}

/** Follows `Link` headers from `path`, returning each page's body. */
async function allPages(
  t: TestRegistry,
  path: string,
): Promise<Record<string, unknown>[]> {
  const pages = [];
  let next: string | undefined = path;
  while (next) {
    const response = await t.send("GET", next);
    assert.equal(response.status, 200);
    pages.push(await response.json());
    const link = response.headers.get("Link");
    next = link?.match(/^<([^>]+)>; rel="next"$/)?.[1];
    assert.ok(!link || next, `well-formed Link: ${link}`);
  }
  return pages;
}

Deno.test("tags list answers 200 with the tags in code-unit order", async () => {
  const t = testRegistry();
  await tagAll(t, "app", ["b", "a", "B", "_x", "1.0", "a-1", "A"]);
  const response = await t.send("GET", "/v2/app/tags/list");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Type"), "application/json");
  assert.equal(response.headers.get("Link"), null);
  assert.deepEqual(await response.json(), {
    name: "app",
    tags: ["1.0", "A", "B", "_x", "a", "a-1", "b"],
  });
});

Deno.test("tags list pages with n and last, with a Link only while more remain", async () => {
  const t = testRegistry();
  await tagAll(t, "app", ["t1", "t2", "t3", "t4", "t5"]);
  const first = await t.send("GET", "/v2/app/tags/list?n=2");
  assert.deepEqual((await first.json()).tags, ["t1", "t2"]);
  assert.equal(
    first.headers.get("Link"),
    '</v2/app/tags/list?n=2&last=t2>; rel="next"',
  );
  const middle = await t.send("GET", "/v2/app/tags/list?n=2&last=t2");
  assert.deepEqual((await middle.json()).tags, ["t3", "t4"]);
  const last = await t.send("GET", "/v2/app/tags/list?n=2&last=t4");
  assert.deepEqual((await last.json()).tags, ["t5"]);
  assert.equal(last.headers.get("Link"), null);
  const exact = await t.send("GET", "/v2/app/tags/list?n=5");
  assert.equal((await exact.json()).tags.length, 5);
  assert.equal(exact.headers.get("Link"), null);
  const pages = await allPages(t, "/v2/app/tags/list?n=2");
  assert.deepEqual(pages.flatMap((p) => p.tags as string[]), [
    "t1",
    "t2",
    "t3",
    "t4",
    "t5",
  ]);
});

Deno.test("tags list with last alone starts after it, and past the end is empty", async () => {
  const t = testRegistry();
  await tagAll(t, "app", ["a", "b", "c"]);
  const after = await t.send("GET", "/v2/app/tags/list?last=a");
  assert.deepEqual((await after.json()).tags, ["b", "c"]);
  const between = await t.send("GET", "/v2/app/tags/list?last=bb");
  assert.deepEqual((await between.json()).tags, ["c"]);
  const past = await t.send("GET", "/v2/app/tags/list?last=z");
  assert.deepEqual((await past.json()).tags, []);
  assert.equal(past.headers.get("Link"), null);
});

Deno.test("tags list with n=0 is empty and has no Link", async () => {
  const t = testRegistry();
  await tagAll(t, "app", ["a", "b"]);
  const response = await t.send("GET", "/v2/app/tags/list?n=0");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { name: "app", tags: [] });
  assert.equal(response.headers.get("Link"), null);
});

Deno.test("tags list caps n at the page size and links the rest", async () => {
  const t = testRegistry({ maxPageSize: 2 });
  await tagAll(t, "app", ["a", "b", "c"]);
  for (const query of ["", "?n=100"]) {
    const response = await t.send("GET", `/v2/app/tags/list${query}`);
    assert.deepEqual((await response.json()).tags, ["a", "b"]);
    assert.equal(
      response.headers.get("Link"),
      '</v2/app/tags/list?n=2&last=b>; rel="next"',
    );
  }
});

Deno.test("tags list refuses a malformed n with 400", async () => {
  const t = testRegistry();
  await tagAll(t, "app", ["a"]);
  for (const n of ["-1", "x", "1.5", "1e3"]) {
    const response = await t.send("GET", `/v2/app/tags/list?n=${n}`);
    assert.equal(response.status, 400, n);
    await response.body?.cancel();
  }
});

Deno.test("tags list of an unknown repository answers 404 NAME_UNKNOWN", async () => {
  const t = testRegistry();
  await tagAll(t, "app", ["a"]);
  await assertError(
    await t.send("GET", "/v2/nothing/tags/list"),
    404,
    "NAME_UNKNOWN",
  );
  await assertError(
    await t.send("GET", "/v2/ap/tags/list"),
    404,
    "NAME_UNKNOWN",
  );
});

Deno.test("tags list of a repository with blobs but no tags is empty", async () => {
  const t = testRegistry();
  await pushBlob(t, "app", "just a blob");
  const response = await t.send("GET", "/v2/app/tags/list");
  assert.deepEqual(await response.json(), { name: "app", tags: [] });
});

Deno.test("HEAD of a list answers with its headers and no body", async () => {
  const t = testRegistry();
  await tagAll(t, "app", ["a"]);
  for (
    const path of [
      "/v2/app/tags/list",
      "/v2/_catalog",
      `/v2/app/referrers/${digestOf("x")}`,
    ]
  ) {
    const response = await t.send("HEAD", path);
    assert.equal(response.status, 200, path);
    assert.equal(response.body, null);
    assert.ok(Number(response.headers.get("Content-Length")) > 0);
  }
});

Deno.test("catalog lists repositories, nested ones included, in order and in pages", async () => {
  const t = testRegistry();
  for (const name of ["b", "a/c", "a", "a/b/c", "z-1"]) {
    await pushBlob(t, name, `blob of ${name}`);
  }
  const all = await t.send("GET", "/v2/_catalog");
  assert.deepEqual(await all.json(), {
    repositories: ["a", "a/b/c", "a/c", "b", "z-1"],
  });
  const first = await t.send("GET", "/v2/_catalog?n=2");
  assert.deepEqual((await first.json()).repositories, ["a", "a/b/c"]);
  assert.equal(
    first.headers.get("Link"),
    '</v2/_catalog?n=2&last=a%2Fb%2Fc>; rel="next"',
  );
  const pages = await allPages(t, "/v2/_catalog?n=2");
  assert.deepEqual(pages.flatMap((p) => p.repositories as string[]), [
    "a",
    "a/b/c",
    "a/c",
    "b",
    "z-1",
  ]);
});

Deno.test("catalog shows only the repositories the caller may pull", async () => {
  const t0 = testRegistry();
  for (const name of ["public", "private"]) await pushBlob(t0, name, name);
  const auth: Auth = {
    authenticate: () => ({ name: "user" }),
    permissions: (_id, repository): Action[] =>
      repository === "public" ? ["pull"] : [],
    challenge: () => 'Basic realm="test"',
  };
  const t = testRegistry({ storage: t0.storage, auth });
  const response = await t.send("GET", "/v2/_catalog");
  assert.deepEqual(await response.json(), { repositories: ["public"] });
});

/** Pushes an image and returns helpers to attach referrers to it. */
async function subjectImage(t: TestRegistry) {
  const subject = await pushImage(t, "app", { reference: "v1" });
  const subjectDescriptor = descriptor(types.manifest, subject);
  const empty = await pushBlob(t, "app", "{}");
  return {
    subject,
    /** Pushes an artifact manifest referring to the subject; asserts 201. */
    artifact: async (fields: Record<string, unknown>) => {
      const pushed = await pushByDigest(t, {
        schemaVersion: 2,
        mediaType: types.manifest,
        config: descriptor(types.empty, empty),
        layers: [],
        subject: subjectDescriptor,
        ...fields,
      });
      assert.equal(pushed.response.status, 201);
      return pushed;
    },
  };
}

/** Pushes by digest: the reference is filled in from the body. */
async function pushByDigest(
  t: TestRegistry,
  body: Record<string, unknown>,
  mediaType: string = types.manifest,
) {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  return await pushManifest(t, "app", digestOf(bytes), bytes, mediaType);
}

Deno.test("PUT of a manifest with a subject answers with OCI-Subject", async () => {
  const t = testRegistry();
  const subject = await pushImage(t, "app", { reference: "v1" });
  const empty = await pushBlob(t, "app", "{}");
  const pushed = await pushByDigest(t, {
    schemaVersion: 2,
    mediaType: types.manifest,
    artifactType: "application/vnd.example.sig",
    config: descriptor(types.empty, empty),
    layers: [],
    subject: descriptor(types.manifest, subject),
  });
  assert.equal(pushed.response.status, 201);
  assert.equal(pushed.response.headers.get("OCI-Subject"), subject.digest);
});

Deno.test("referrers lists every manifest whose subject is the digest, as an image index", async () => {
  const t = testRegistry();
  const subject = await pushImage(t, "app", { reference: "v1" });
  const empty = await pushBlob(t, "app", "{}");
  const config = await pushBlob(t, "app", "signature config");
  const subjectRef = descriptor(types.manifest, subject);
  const sbom = await pushByDigest(t, {
    schemaVersion: 2,
    mediaType: types.manifest,
    artifactType: "application/vnd.example.sbom",
    config: descriptor(types.empty, empty),
    layers: [],
    subject: subjectRef,
    annotations: { "org.example.kind": "sbom" },
  });
  const signature = await pushByDigest(t, {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: descriptor("application/vnd.example.sig.config", config),
    layers: [],
    subject: subjectRef,
  });
  const index = await pushByDigest(t, {
    schemaVersion: 2,
    mediaType: types.index,
    manifests: [],
    subject: subjectRef,
    annotations: { "org.example.kind": "index" },
  }, types.index);
  await pushImage(t, "app", { reference: "unrelated" });

  const response = await t.send("GET", `/v2/app/referrers/${subject.digest}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Type"), types.index);
  assert.equal(response.headers.get("OCI-Filters-Applied"), null);
  const body = await response.json();
  assert.equal(body.schemaVersion, 2);
  assert.equal(body.mediaType, types.index);
  const expected = [
    {
      mediaType: types.manifest,
      digest: sbom.digest,
      size: sbom.size,
      artifactType: "application/vnd.example.sbom",
      annotations: { "org.example.kind": "sbom" },
    },
    {
      mediaType: types.manifest,
      digest: signature.digest,
      size: signature.size,
      artifactType: "application/vnd.example.sig.config",
    },
    {
      mediaType: types.index,
      digest: index.digest,
      size: index.size,
      annotations: { "org.example.kind": "index" },
    },
  ].sort((a, b) => (a.digest < b.digest ? -1 : 1));
  assert.deepEqual(body.manifests, expected);
});

Deno.test("referrers filters by artifactType and says so in OCI-Filters-Applied", async () => {
  const t = testRegistry();
  const { subject, artifact } = await subjectImage(t);
  await artifact({ artifactType: "application/vnd.example.sbom" });
  const sig = await artifact({ artifactType: "application/vnd.example.sig" });
  const response = await t.send(
    "GET",
    `/v2/app/referrers/${subject.digest}?artifactType=application/vnd.example.sig`,
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("OCI-Filters-Applied"), "artifactType");
  const body = await response.json();
  assert.deepEqual(body.manifests.map((m: { digest: string }) => m.digest), [
    sig.digest,
  ]);
});

Deno.test("referrers of a digest nothing refers to is an empty index, not 404", async () => {
  const t = testRegistry();
  for (const repository of ["app", "never/pushed"]) {
    const response = await t.send(
      "GET",
      `/v2/${repository}/referrers/${digestOf("nothing")}`,
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("Content-Type"), types.index);
    assert.deepEqual(await response.json(), {
      schemaVersion: 2,
      mediaType: types.index,
      manifests: [],
    });
  }
});

Deno.test("referrers with a malformed digest answers 400", async () => {
  const t = testRegistry();
  const response = await t.send("GET", "/v2/app/referrers/sha256:bad");
  await assertError(response, 400, "DIGEST_INVALID");
});

Deno.test("a manifest whose subject does not exist yet is accepted and listed", async () => {
  const t = testRegistry();
  const empty = await pushBlob(t, "app", "{}");
  const missing = { digest: digestOf("pushed later"), size: 12 };
  const pushed = await pushByDigest(t, {
    schemaVersion: 2,
    mediaType: types.manifest,
    artifactType: "application/vnd.example.early",
    config: descriptor(types.empty, empty),
    layers: [],
    subject: descriptor(types.manifest, missing),
  });
  assert.equal(pushed.response.status, 201);
  assert.equal(pushed.response.headers.get("OCI-Subject"), missing.digest);
  const response = await t.send("GET", `/v2/app/referrers/${missing.digest}`);
  const body = await response.json();
  assert.deepEqual(body.manifests.map((m: { digest: string }) => m.digest), [
    pushed.digest,
  ]);
});

Deno.test("a referrer leaves the list when its manifest is deleted, not when its tag is", async () => {
  const t = testRegistry();
  const { subject } = await subjectImage(t);
  const empty = await pushBlob(t, "app", "{}");
  const referrer = await pushManifest(t, "app", "sig-tag", {
    schemaVersion: 2,
    mediaType: types.manifest,
    artifactType: "application/vnd.example.sig",
    config: descriptor(types.empty, empty),
    layers: [],
    subject: descriptor(types.manifest, subject),
  });
  assert.equal(referrer.response.status, 201);
  const list = async () => {
    const response = await t.send("GET", `/v2/app/referrers/${subject.digest}`);
    return (await response.json()).manifests.map((m: { digest: string }) =>
      m.digest
    );
  };
  assert.deepEqual(await list(), [referrer.digest]);
  assert.equal(
    (await t.send("DELETE", "/v2/app/manifests/sig-tag")).status,
    202,
  );
  assert.deepEqual(await list(), [referrer.digest]);
  const deleted = await t.send(
    "DELETE",
    `/v2/app/manifests/${referrer.digest}`,
  );
  assert.equal(deleted.status, 202);
  assert.deepEqual(await list(), []);
});

Deno.test("referrers are per repository", async () => {
  const t = testRegistry();
  const { subject, artifact } = await subjectImage(t);
  await artifact({ artifactType: "application/vnd.example.sig" });
  const response = await t.send("GET", `/v2/other/referrers/${subject.digest}`);
  assert.deepEqual((await response.json()).manifests, []);
});

Deno.test("referrers pages with a Link when more than a page remain", async () => {
  const t = testRegistry({ maxPageSize: 2 });
  const { subject, artifact } = await subjectImage(t);
  const digests: string[] = [];
  for (let i = 0; i < 5; i++) {
    const pushed = await artifact({
      artifactType: "application/vnd.example.sig",
      annotations: { n: String(i) },
    });
    digests.push(pushed.digest);
  }
  await artifact({ artifactType: "application/vnd.example.other" });
  digests.sort();

  const path = `/v2/app/referrers/${subject.digest}`;
  const first = await t.send("GET", path);
  assert.equal(first.headers.get("Content-Type"), types.index);
  assert.match(
    first.headers.get("Link") ?? "",
    /^<\/v2\/app\/referrers\/.+>; rel="next"$/,
  );
  assert.equal((await first.json()).manifests.length, 2);

  const filtered = await allPages(
    t,
    `${path}?artifactType=application/vnd.example.sig`,
  );
  assert.equal(filtered.length, 3);
  for (const page of filtered) {
    assert.equal(page.mediaType, types.index);
  }
  assert.deepEqual(
    filtered.flatMap((p) =>
      (p.manifests as { digest: string }[]).map((m) => m.digest)
    ),
    digests,
  );
  const everything = await allPages(t, path);
  assert.equal(
    everything.flatMap((p) => p.manifests as unknown[]).length,
    6,
  );
});
