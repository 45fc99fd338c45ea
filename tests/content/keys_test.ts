/**
 * Tests the upload session keys: every object of a session names its id,
 * and nothing else under `uploads/` is taken for a session.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  uploadIdOf,
  uploadKeys,
  UPLOADS_PREFIX,
} from "../../src/content/keys.ts";

Deno.test("uploadIdOf() finds the session of each of its objects", () => {
  const id = crypto.randomUUID();
  for (const key of uploadKeys(id)) {
    assert.ok(key.startsWith(UPLOADS_PREFIX));
    assert.equal(uploadIdOf(key.slice(UPLOADS_PREFIX.length)), id);
  }
});

Deno.test("uploadIdOf() refuses names that are no session's object", () => {
  for (const name of ["abc", "abc.tmp", ".data", "abc.data.old", "x.info/"]) {
    assert.equal(uploadIdOf(name), undefined, name);
  }
});
