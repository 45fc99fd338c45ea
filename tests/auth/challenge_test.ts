import assert from "node:assert/strict";
import { formatChallenge } from "../../src/auth/challenge.ts";

Deno.test("formatChallenge() quotes parameters and skips undefined ones", () => {
  assert.equal(
    formatChallenge("Bearer", {
      realm: "https://auth.test/token",
      service: "registry",
      scope: undefined,
    }),
    'Bearer realm="https://auth.test/token",service="registry"',
  );
});

Deno.test("formatChallenge() escapes quotes and backslashes", () => {
  assert.equal(
    formatChallenge("Basic", { realm: 'a "b" \\c' }),
    'Basic realm="a \\"b\\" \\\\c"',
  );
});
