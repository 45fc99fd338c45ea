import assert from "node:assert/strict";
import { LoginLimiter } from "../../src/auth/login_limiter.ts";

Deno.test("LoginLimiter blocks a key after the allowed failures", () => {
  let now = 0;
  const limiter = new LoginLimiter({ now: () => now });
  for (let i = 0; i < 4; i++) {
    limiter.fail("alice");
    now += 1000;
  }
  assert.equal(limiter.retryAfter("alice"), undefined);
  limiter.fail("alice");
  assert.equal(limiter.retryAfter("alice"), 56);
  assert.equal(limiter.retryAfter("bob"), undefined);
});

Deno.test("LoginLimiter lets a key try again once failures leave the window", () => {
  let now = 0;
  const limiter = new LoginLimiter({
    maxFailures: 2,
    window: 10,
    now: () => now,
  });
  limiter.fail("alice");
  now = 5000;
  limiter.fail("alice");
  assert.equal(limiter.retryAfter("alice"), 5);
  now = 10_001;
  assert.equal(limiter.retryAfter("alice"), undefined);
  limiter.fail("alice");
  assert.equal(limiter.retryAfter("alice"), 5);
});

Deno.test("LoginLimiter forgets the oldest key beyond maxClients", () => {
  const limiter = new LoginLimiter({ maxFailures: 1, maxClients: 2 });
  limiter.fail("a");
  limiter.fail("b");
  limiter.fail("c");
  assert.equal(limiter.retryAfter("a"), undefined);
  assert.equal(limiter.retryAfter("c"), 60);
});
