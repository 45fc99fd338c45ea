import assert from "node:assert/strict";
import { constantTimeEqual } from "../../src/auth/compare.ts";

Deno.test("constantTimeEqual() is true for equal strings", () => {
  assert.equal(constantTimeEqual("s3cret", "s3cret"), true);
  assert.equal(constantTimeEqual("", ""), true);
  assert.equal(constantTimeEqual("pässwörd ✓", "pässwörd ✓"), true);
});

Deno.test("constantTimeEqual() is false for different strings", () => {
  assert.equal(constantTimeEqual("s3cret", "s3creT"), false);
  assert.equal(constantTimeEqual("s3cret", "s3cret "), false);
  assert.equal(constantTimeEqual("s3cret", ""), false);
  assert.equal(constantTimeEqual("a".repeat(1000), "a".repeat(999)), false);
});
