import assert from "node:assert/strict";
import {
  parseContentRange,
  parseRange,
  uploadRange,
} from "../../src/protocol/range.ts";

Deno.test("parseRange() returns undefined when the whole object is wanted", () => {
  assert.equal(parseRange(null, 10), undefined);
  assert.equal(parseRange("", 10), undefined);
  assert.equal(parseRange("bytes=-", 10), undefined);
  // Forms this server does not serve are ignored, as RFC 9110 allows.
  assert.equal(parseRange("bytes=0-1,3-4", 10), undefined);
  assert.equal(parseRange("items=0-1", 10), undefined);
});

Deno.test("parseRange() resolves first-last, open-ended and suffix ranges", () => {
  assert.deepEqual(parseRange("bytes=0-0", 10), { start: 0, end: 0 });
  assert.deepEqual(parseRange("bytes=2-5", 10), { start: 2, end: 5 });
  assert.deepEqual(parseRange("bytes=4-", 10), { start: 4, end: 9 });
  assert.deepEqual(parseRange("bytes=-3", 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange(" bytes=1-2 ", 10), { start: 1, end: 2 });
});

Deno.test("parseRange() clips a last position past the end", () => {
  assert.deepEqual(parseRange("bytes=8-100", 10), { start: 8, end: 9 });
  assert.deepEqual(parseRange("bytes=-100", 10), { start: 0, end: 9 });
});

Deno.test("parseRange() returns null for an unsatisfiable range", () => {
  assert.equal(parseRange("bytes=10-", 10), null);
  assert.equal(parseRange("bytes=10-20", 10), null);
  assert.equal(parseRange("bytes=5-2", 10), null);
  assert.equal(parseRange("bytes=-0", 10), null);
  assert.equal(parseRange("bytes=0-0", 0), null);
  assert.equal(parseRange("bytes=-5", 0), null);
});

Deno.test("parseContentRange() accepts the spec form and the RFC form", () => {
  assert.deepEqual(parseContentRange("0-9"), { start: 0, end: 9 });
  assert.deepEqual(parseContentRange("bytes 10-19/*"), { start: 10, end: 19 });
  assert.deepEqual(parseContentRange("bytes 10-19/20"), { start: 10, end: 19 });
});

Deno.test("parseContentRange() returns undefined when absent, null when malformed", () => {
  assert.equal(parseContentRange(null), undefined);
  for (const header of ["", "5", "a-b", "9-5", "-5", "0-", "bytes=0-5"]) {
    assert.equal(parseContentRange(header), null, header);
  }
});

Deno.test("uploadRange() is 0-<last byte>, and 0-0 for an empty upload", () => {
  assert.equal(uploadRange(0), "0-0");
  assert.equal(uploadRange(1), "0-0");
  assert.equal(uploadRange(42), "0-41");
});
