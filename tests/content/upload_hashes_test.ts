import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { UploadHashes } from "../../src/content/upload_hashes.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const sha256 = (text: string) =>
  `sha256:${createHash("sha256").update(text).digest("hex")}`;

Deno.test("UploadHashes.take() gives a fresh hasher for a session's first bytes", () => {
  const hashes = new UploadHashes();
  const hasher = hashes.take("s", 0, "sha256");
  assert.ok(hasher);
  assert.equal(hasher.size, 0);
  assert.equal(hashes.take("s", 5, "sha256"), undefined);
});

Deno.test("UploadHashes continues a kept hasher only at the offset it reached", () => {
  const hashes = new UploadHashes();
  const hasher = hashes.take("s", 0, "sha256")!;
  hasher.update(encode("hello "));
  hashes.keep("s", hasher);
  assert.equal(hashes.take("s", 3, "sha256"), undefined);
  // A mismatched take drops the hasher, so a later one cannot reuse it.
  assert.equal(hashes.take("s", 6, "sha256"), undefined);

  const again = hashes.take("t", 0, "sha256")!;
  again.update(encode("hello "));
  hashes.keep("t", again);
  const continued = hashes.take("t", 6, "sha256")!;
  continued.update(encode("world"));
  hashes.keep("t", continued);
  assert.equal(hashes.digest("t", "sha256", 11), sha256("hello world"));
});

Deno.test("UploadHashes.digest() is undefined for another size, algorithm or session", () => {
  const hashes = new UploadHashes();
  const hasher = hashes.take("s", 0, "sha256")!;
  hasher.update(encode("abc"));
  hashes.keep("s", hasher);
  assert.equal(hashes.digest("s", "sha256", 3), sha256("abc"));
  assert.equal(hashes.digest("s", "sha256", 4), undefined);
  assert.equal(hashes.digest("s", "sha512", 3), undefined);
  assert.equal(hashes.digest("other", "sha256", 3), undefined);
  hashes.forget("s");
  assert.equal(hashes.digest("s", "sha256", 3), undefined);
});

Deno.test("UploadHashes drops the oldest sessions past its bound", () => {
  const hashes = new UploadHashes();
  for (let i = 0; i <= 1024; i++) {
    hashes.keep(`s${i}`, hashes.take(`s${i}`, 0, "sha256")!);
  }
  assert.equal(hashes.digest("s0", "sha256", 0), undefined);
  assert.equal(
    hashes.digest("s1024", "sha256", 0),
    sha256(""),
  );
});
