import assert from "node:assert/strict";
import {
  formatBasicAuthorization,
  parseBasicAuthorization,
} from "../../src/auth/basic_header.ts";
import { RegistryError } from "../../src/protocol/errors.ts";

function isUnauthorized(error: unknown) {
  return error instanceof RegistryError && error.code === "UNAUTHORIZED" &&
    error.status === 401;
}

Deno.test("parseBasicAuthorization() reads user and password", () => {
  assert.deepEqual(parseBasicAuthorization("Basic " + btoa("alice:s3cret")), {
    user: "alice",
    password: "s3cret",
  });
});

Deno.test("parseBasicAuthorization() splits at the first colon only", () => {
  assert.deepEqual(parseBasicAuthorization("Basic " + btoa("alice:a:b:")), {
    user: "alice",
    password: "a:b:",
  });
});

Deno.test("parseBasicAuthorization() accepts any case of the scheme", () => {
  assert.equal(parseBasicAuthorization("basic " + btoa("a:b"))?.user, "a");
  assert.equal(parseBasicAuthorization("BASIC  " + btoa("a:b"))?.user, "a");
});

Deno.test("parseBasicAuthorization() decodes UTF-8", () => {
  const header = formatBasicAuthorization("jürgen", "pässwörd✓");
  assert.deepEqual(parseBasicAuthorization(header), {
    user: "jürgen",
    password: "pässwörd✓",
  });
});

Deno.test("parseBasicAuthorization() gives undefined without a header", () => {
  assert.equal(parseBasicAuthorization(null), undefined);
  assert.equal(parseBasicAuthorization(""), undefined);
});

Deno.test("parseBasicAuthorization() refuses malformed headers", () => {
  const malformed = [
    "Basic",
    "Basic !!!!",
    "Basic " + btoa("no-colon"),
    "Basic " + btoa("a:b") + " extra",
    "Basic " + btoa(String.fromCharCode(0xff, 0xfe, 0x3a)),
    "Bearer abc.def.ghi",
  ];
  for (const header of malformed) {
    assert.throws(
      () => parseBasicAuthorization(header),
      isUnauthorized,
      header,
    );
  }
});

Deno.test("parseBasicAuthorization() puts the challenge on its error", () => {
  assert.throws(
    () => parseBasicAuthorization("Basic !!", 'Basic realm="r"'),
    (error: RegistryError) =>
      error.headers.get("WWW-Authenticate") === 'Basic realm="r"',
  );
});
