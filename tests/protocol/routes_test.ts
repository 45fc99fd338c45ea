import assert from "node:assert/strict";
import { matchRoute } from "../../src/protocol/routes.ts";

const digest = `sha256:${"a".repeat(64)}`;

Deno.test("matchRoute() finds the base and the catalog", () => {
  assert.deepEqual(matchRoute("/v2/"), { kind: "base" });
  assert.deepEqual(matchRoute("/v2"), { kind: "base" });
  assert.deepEqual(matchRoute("/v2/_catalog"), { kind: "catalog" });
});

Deno.test("matchRoute() splits nested repository names from the end", () => {
  assert.deepEqual(matchRoute("/v2/a/b/c/tags/list"), {
    kind: "tags",
    name: "a/b/c",
  });
  assert.deepEqual(matchRoute("/v2/a/b/manifests/latest"), {
    kind: "manifest",
    name: "a/b",
    reference: "latest",
  });
  assert.deepEqual(matchRoute(`/v2/a/blobs/${digest}`), {
    kind: "blob",
    name: "a",
    digest,
  });
  assert.deepEqual(matchRoute(`/v2/a/b/referrers/${digest}`), {
    kind: "referrers",
    name: "a/b",
    digest,
  });
});

Deno.test("matchRoute() finds upload routes with and without a trailing slash", () => {
  assert.deepEqual(matchRoute("/v2/a/blobs/uploads/"), {
    kind: "uploads",
    name: "a",
  });
  assert.deepEqual(matchRoute("/v2/a/blobs/uploads"), {
    kind: "uploads",
    name: "a",
  });
  assert.deepEqual(matchRoute("/v2/a/b/blobs/uploads/some-id"), {
    kind: "upload",
    name: "a/b",
    id: "some-id",
  });
});

Deno.test("matchRoute() lets repository names contain route words", () => {
  assert.deepEqual(matchRoute("/v2/blobs/manifests/manifests/v1"), {
    kind: "manifest",
    name: "blobs/manifests",
    reference: "v1",
  });
  assert.deepEqual(matchRoute("/v2/tags/list/tags/list"), {
    kind: "tags",
    name: "tags/list",
  });
});

Deno.test("matchRoute() returns undefined for other paths", () => {
  for (
    const path of [
      "/",
      "/v1/",
      "/v2/a",
      "/v2/a/tags",
      "/v2/a/tags/list/",
      "/v2/a/manifests/",
      "/v2/a/manifests/x/y",
      "/v2/a/blobs/",
      "/v3/a/tags/list",
      "/token",
    ]
  ) {
    assert.equal(matchRoute(path), undefined, path);
  }
});
