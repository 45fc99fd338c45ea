import assert from "node:assert/strict";
import type { LogEvent } from "../../src/log.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";
import type { Storage } from "../../src/storage/types.ts";
import { healthz, probeStorage, readyz } from "../../src/server/health.ts";

Deno.test("healthz() answers 200 ok", async () => {
  const response = healthz();
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "ok\n");
});

Deno.test("readyz() answers 200 and leaves nothing behind when storage works", async () => {
  const storage = new MemoryStorage();
  const response = await readyz(storage, () => {});
  assert.equal(response.status, 200);
  await response.body?.cancel();
  assert.deepEqual(await storage.list("_health/"), []);
  assert.deepEqual(await storage.list(""), []);
});

Deno.test("readyz() answers 503 and logs the cause when storage cannot write", async () => {
  const storage = new MemoryStorage() as Storage;
  storage.write = () => Promise.reject(new Error("read-only file system"));
  const events: LogEvent[] = [];
  const response = await readyz(storage, (e) => events.push(e));
  assert.equal(response.status, 503);
  assert.ok(!(await response.text()).includes("read-only"));
  assert.equal(events.length, 1);
  assert.equal(events[0].error, "read-only file system");
});

Deno.test("probeStorage() notices a storage that reads back other bytes", async () => {
  const storage = new MemoryStorage() as Storage;
  storage.readBytes = () => Promise.resolve(new Uint8Array([1]));
  assert.match(await probeStorage(storage) ?? "", /read back wrong/);
});

Deno.test("probeStorage() cleans up its object when reading fails", async () => {
  const storage = new MemoryStorage();
  storage.readBytes = () => Promise.reject(new Error("io error"));
  assert.equal(await probeStorage(storage), "io error");
  assert.deepEqual(await storage.list("_health/"), []);
});
