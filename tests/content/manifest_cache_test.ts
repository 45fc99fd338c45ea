import assert from "node:assert/strict";
import { ManifestCache } from "../../src/content/manifest_cache.ts";

Deno.test("ManifestCache drops the least recently used past its size", () => {
  const cache = new ManifestCache(10);
  cache.set("a", new Uint8Array(4));
  cache.set("b", new Uint8Array(4));
  assert.ok(cache.get("a"));

  cache.set("c", new Uint8Array(4));
  assert.equal(cache.get("b"), undefined);
  assert.ok(cache.get("a"));
  assert.ok(cache.get("c"));
});

Deno.test("ManifestCache never keeps an entry larger than its size", () => {
  const cache = new ManifestCache(10);
  cache.set("big", new Uint8Array(11));
  assert.equal(cache.get("big"), undefined);
});
