import assert from "node:assert/strict";
import { allowAll } from "../../src/auth/open.ts";

Deno.test("allowAll() lets anonymous callers pull, push and delete", async () => {
  const auth = allowAll();
  const request = new Request("http://127.0.0.1/v2/app/manifests/latest", {
    method: "PUT",
  });
  const identity = await auth.authenticate(request);
  assert.equal(identity, undefined);
  assert.deepEqual([...await auth.permissions(identity, "app")].sort(), [
    "delete",
    "pull",
    "push",
  ]);
  assert.equal(auth.anonymousBase, true);
  assert.equal(await auth.catalog?.(undefined), true);
});

Deno.test("allowAll() ignores credentials instead of refusing them", async () => {
  const request = new Request("http://127.0.0.1/v2/", {
    headers: { Authorization: "Basic " + btoa("anyone:anything") },
  });
  assert.equal(await allowAll().authenticate(request), undefined);
});
