/**
 * Tests the choice of reads that get large buffers: only a read with no
 * other begun within the quiet period, and only one at a time.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LoneReads } from "../../src/storage/_lone_reads.ts";

/** A clock the test moves by hand. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => now += ms };
}

Deno.test("LoneReads: the first read is lone, one begun soon after is not", () => {
  const clock = manualClock();
  const reads = new LoneReads(1000, clock.now);

  const first = reads.begin();
  assert.ok(first, "nothing came before the first read");
  clock.advance(999);
  assert.equal(reads.begin(), undefined, "begun within the quiet period");
});

Deno.test("LoneReads: every read restarts the quiet period", () => {
  const clock = manualClock();
  const reads = new LoneReads(1000, clock.now);

  reads.begin()!();
  for (let i = 0; i < 3; i++) {
    clock.advance(600);
    assert.equal(reads.begin(), undefined, `read ${i} was too soon after one`);
  }
  clock.advance(1000);
  assert.ok(reads.begin(), "a full quiet period passed");
});

Deno.test("LoneReads: a lone read still open keeps the next one out", () => {
  const clock = manualClock();
  const reads = new LoneReads(1000, clock.now);

  const end = reads.begin()!;
  clock.advance(5000);
  assert.equal(reads.begin(), undefined, "the first lone read is open");

  end();
  clock.advance(1000);
  assert.ok(reads.begin(), "the first one ended and it was quiet");
});

Deno.test("LoneReads: ending a read twice frees only its own place", () => {
  const clock = manualClock();
  const reads = new LoneReads(1000, clock.now);

  const first = reads.begin()!;
  first();
  clock.advance(1000);
  const second = reads.begin();
  assert.ok(second);
  first();
  clock.advance(1000);
  assert.equal(reads.begin(), undefined, "the second read is still open");
});
