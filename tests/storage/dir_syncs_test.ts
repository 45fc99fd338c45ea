/**
 * Tests the group commit of directory syncs: callers that arrive while a
 * sync runs share the one after it, and nobody is answered by a sync that
 * started before they asked.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DirectorySyncs } from "../../src/storage/_dir_syncs.ts";

/** A sync function whose calls finish only when the test says so. */
function manualSyncs() {
  const calls: { path: string; finish: () => void; fail: () => void }[] = [];
  const sync = (path: string) =>
    new Promise<void>((resolve, reject) => {
      calls.push({
        path,
        finish: resolve,
        fail: () => reject(new Error("disk gone")),
      });
    });
  return { calls, sync };
}

/** Lets every settled promise run its reactions. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("DirectorySyncs: callers during a sync share the next one", async () => {
  const { calls, sync } = manualSyncs();
  const syncs = new DirectorySyncs(sync);
  const done: string[] = [];

  const first = syncs.sync("/d").then(() => done.push("first"));
  const waiting = [1, 2, 3].map((i) =>
    syncs.sync("/d").then(() => done.push(`late${i}`))
  );
  await tick();
  assert.equal(calls.length, 1, "the late callers wait, they start none");

  calls[0].finish();
  await tick();
  assert.deepEqual(done, ["first"], "the first sync predates the others");
  assert.equal(calls.length, 2);

  calls[1].finish();
  await Promise.all([first, ...waiting]);
  assert.deepEqual(done, ["first", "late1", "late2", "late3"]);
  assert.equal(calls.length, 2);
});

Deno.test("DirectorySyncs: different directories sync independently", async () => {
  const { calls, sync } = manualSyncs();
  const syncs = new DirectorySyncs(sync);

  const a = syncs.sync("/a");
  const b = syncs.sync("/b");
  await tick();
  assert.deepEqual(calls.map((call) => call.path), ["/a", "/b"]);

  calls[1].finish();
  await b;
  calls[0].finish();
  await a;
});

Deno.test("DirectorySyncs: a failed sync fails its callers only", async () => {
  const { calls, sync } = manualSyncs();
  const syncs = new DirectorySyncs(sync);

  const first = syncs.sync("/d");
  const second = syncs.sync("/d");
  calls[0].fail();
  await assert.rejects(first, /disk gone/);
  await tick();
  calls[1].finish();
  await second;

  // Idle again: the next caller starts a sync of its own at once.
  const third = syncs.sync("/d");
  assert.equal(calls.length, 3);
  calls[2].finish();
  await third;
});
