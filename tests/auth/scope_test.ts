import assert from "node:assert/strict";
import { formatScope, parseScope } from "../../src/auth/scope.ts";
import { RegistryError } from "../../src/protocol/errors.ts";

Deno.test("parseScope() splits at the first and last colon", () => {
  assert.deepEqual(parseScope("repository:team/app:pull,push"), {
    type: "repository",
    name: "team/app",
    actions: ["pull", "push"],
  });
  assert.deepEqual(parseScope("registry:catalog:*"), {
    type: "registry",
    name: "catalog",
    actions: ["*"],
  });
});

Deno.test("parseScope() drops a resource class", () => {
  assert.equal(parseScope("repository(plugin):app:pull").type, "repository");
});

Deno.test("parseScope() refuses malformed scopes with 400", () => {
  const bad = [
    "repository",
    "repository:app",
    "repository:app:",
    "repository:Bad_Name:pull",
    "repository:host:5000/app:pull",
    "registry:other:*",
    "user:alice:pull",
  ];
  for (const scope of bad) {
    assert.throws(
      () => parseScope(scope),
      (error) => error instanceof RegistryError && error.status === 400,
      scope,
    );
  }
});

Deno.test("formatScope() writes type:name:actions", () => {
  assert.equal(
    formatScope({ type: "repository", name: "a/b", actions: ["pull", "push"] }),
    "repository:a/b:pull,push",
  );
});
