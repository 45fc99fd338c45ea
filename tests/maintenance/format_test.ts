/**
 * Durations and byte counts as the maintenance commands read and print
 * them.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  formatBytes,
  formatDuration,
  parseDuration,
} from "../../src/maintenance/_format.ts";

Deno.test("parseDuration() reads single and combined units", () => {
  assert.equal(parseDuration("0"), 0);
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("90s"), 90_000);
  assert.equal(parseDuration("15m"), 900_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("7d"), 604_800_000);
  assert.equal(parseDuration("1.5h"), 5_400_000);
});

Deno.test("parseDuration() refuses what is not a duration", () => {
  for (const text of ["", "10", "h", "1x", "1h 30m", "-1h", "1h-", "m1"]) {
    assert.equal(parseDuration(text), undefined, text);
  }
});

Deno.test("formatDuration() and formatBytes() print the largest units", () => {
  assert.equal(formatDuration(0), "0");
  assert.equal(formatDuration(5_400_000), "1h30m");
  assert.equal(formatDuration(86_400_000), "1d");
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GiB");
});
