import assert from "node:assert/strict";
import { RegistryError } from "../../src/protocol/errors.ts";
import {
  isRepositoryName,
  isTag,
  looksLikeDigest,
  maxNameLength,
  parseDigest,
  parseReference,
  parseRepositoryName,
  parseTag,
} from "../../src/protocol/names.ts";

const hex64 = "a".repeat(64);

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof RegistryError);
    assert.equal(error.code, code);
    assert.equal(error.status, 400);
    return true;
  });
}

Deno.test("isRepositoryName() accepts the specification's name grammar", () => {
  for (
    const name of [
      "a",
      "library/alpine",
      "a/b/c/d",
      "my-app",
      "my--app",
      "my_app",
      "my__app",
      "my.app",
      "0/1",
    ]
  ) {
    assert.equal(isRepositoryName(name), true, name);
  }
});

Deno.test("isRepositoryName() rejects names outside the grammar", () => {
  for (
    const name of [
      "",
      "A",
      "Library/alpine",
      "/a",
      "a/",
      "a//b",
      "a/../b",
      "..",
      ".",
      "a/./b",
      "-a",
      "a-",
      "a___b",
      "a._b",
      "_catalog",
      "a/_layers",
      "a\0b",
      "a b",
      "a%2fb",
    ]
  ) {
    assert.equal(isRepositoryName(name), false, JSON.stringify(name));
  }
});

Deno.test("isRepositoryName() accepts 255 characters and rejects 256", () => {
  const long = (length: number) => `${"a".repeat(length - 2)}/b`;
  assert.equal(maxNameLength, 255);
  assert.equal(isRepositoryName(long(255)), true);
  assert.equal(isRepositoryName(long(256)), false);
});

Deno.test("parseRepositoryName() throws NAME_INVALID and clips the echo", () => {
  assertCode(() => parseRepositoryName("UPPER"), "NAME_INVALID");
  assert.throws(
    () => parseRepositoryName("x".repeat(1000) + "!"),
    (error: RegistryError) => error.message.length < 200,
  );
  assert.equal(parseRepositoryName("ok/name"), "ok/name");
});

Deno.test("isTag() follows [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}", () => {
  for (const tag of ["latest", "v1.0.0", "_x", "A-b_c.d", "x".repeat(128)]) {
    assert.equal(isTag(tag), true, tag);
  }
  for (
    const tag of ["", ".x", "-x", "a/b", "a:b", "..", "x".repeat(129), "a b"]
  ) {
    assert.equal(isTag(tag), false, tag);
  }
});

Deno.test("parseTag() throws TAG_INVALID for a malformed tag", () => {
  assertCode(() => parseTag(".hidden"), "TAG_INVALID");
  assert.equal(parseTag("v1"), "v1");
});

Deno.test("parseDigest() accepts sha256 and sha512 in lowercase hex", () => {
  const d256 = parseDigest(`sha256:${hex64}`);
  assert.deepEqual(d256, {
    algorithm: "sha256",
    hex: hex64,
    value: `sha256:${hex64}`,
  });
  const d512 = parseDigest(`sha512:${"b".repeat(128)}`);
  assert.equal(d512.algorithm, "sha512");
});

Deno.test("parseDigest() throws DIGEST_INVALID for malformed or unsupported digests", () => {
  for (
    const value of [
      "",
      "sha256",
      `sha256:${"A".repeat(64)}`,
      `sha256:${hex64}0`,
      `sha256:${"a".repeat(63)}`,
      `sha512:${hex64}`,
      `sha384:${"a".repeat(96)}`,
      `md5:${"a".repeat(32)}`,
      "sha256:totallywrong",
      `sha256:../${"a".repeat(61)}`,
    ]
  ) {
    assertCode(() => parseDigest(value), "DIGEST_INVALID");
  }
});

Deno.test("looksLikeDigest() recognises the digest grammar of any algorithm", () => {
  assert.equal(looksLikeDigest(`sha256:${hex64}`), true);
  assert.equal(looksLikeDigest("multi+part.alg:abc=="), true);
  assert.equal(looksLikeDigest("latest"), false);
  assert.equal(looksLikeDigest(":abc"), false);
});

Deno.test("parseReference() tells tags from digests by the colon", () => {
  assert.deepEqual(parseReference("latest"), { kind: "tag", tag: "latest" });
  const reference = parseReference(`sha256:${hex64}`);
  assert.equal(reference.kind, "digest");
  assertCode(() => parseReference("sha256:nothex"), "DIGEST_INVALID");
  assertCode(() => parseReference("-bad"), "TAG_INVALID");
});
