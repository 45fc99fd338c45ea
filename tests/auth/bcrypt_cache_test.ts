import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { BcryptCache } from "../../src/auth/bcrypt_cache.ts";

const hash = bcrypt.hashSync("s3cret", 10);

async function timed(check: () => Promise<boolean>) {
  const start = performance.now();
  assert.equal(await check(), true);
  return performance.now() - start;
}

Deno.test("BcryptCache.verify() answers a repeated correct password fast", async () => {
  const cache = new BcryptCache();
  const slow = await timed(() => cache.verify("alice", "s3cret", hash));
  const fast = await timed(() => cache.verify("alice", "s3cret", hash));
  assert.ok(fast * 10 < slow, `cached ${fast} ms vs bcrypt ${slow} ms`);
});

Deno.test("BcryptCache.verify() never accepts a wrong password", async () => {
  const cache = new BcryptCache();
  assert.equal(await cache.verify("alice", "s3cret", hash), true);
  assert.equal(await cache.verify("alice", "s3cret!", hash), false);
  assert.equal(await cache.verify("bob", "s3cret", hash), true);
});

Deno.test("BcryptCache.verify() checks again once an entry expires", async () => {
  let now = 0;
  const cache = new BcryptCache({ ttl: 60, now: () => now });
  await cache.verify("alice", "s3cret", hash);
  const cached = await timed(() => cache.verify("alice", "s3cret", hash));
  now = 61_000;
  const expired = await timed(() => cache.verify("alice", "s3cret", hash));
  assert.ok(
    cached * 10 < expired,
    `cached ${cached} ms, expired ${expired} ms`,
  );
});

Deno.test("BcryptCache.verify() does not match a changed hash from the cache", async () => {
  const cache = new BcryptCache();
  const first = bcrypt.hashSync("pw", 4);
  const second = bcrypt.hashSync("new-pw", 4);
  assert.equal(await cache.verify("alice", "pw", first), true);
  assert.equal(await cache.verify("alice", "pw", second), false);
});
