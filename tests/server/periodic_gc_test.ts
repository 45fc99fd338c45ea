import assert from "node:assert/strict";
import type { LogEvent } from "../../src/log.ts";
import type { GcReport } from "../../src/maintenance/gc.ts";
import { Metrics } from "../../src/server/metrics.ts";
import { startPeriodicGc } from "../../src/server/periodic_gc.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";
import { sha256Digest, startServer } from "./_process.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `condition` until it holds, failing after ten seconds. */
async function until(condition: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error("condition never held");
    await sleep(20);
  }
}

function report(bytesReclaimed: number): GcReport {
  return {
    dryRun: false,
    blobsRemoved: 1,
    manifestsRemoved: 0,
    linksRemoved: 1,
    referrersRemoved: 0,
    uploadsRemoved: 0,
    bytesReclaimed,
    items: [],
    warnings: [],
  };
}

Deno.test("startPeriodicGc() runs again and again, logging each run and counting it in the metrics", async () => {
  const events: LogEvent[] = [];
  const metrics = new Metrics();
  const gc = startPeriodicGc({
    storage: new MemoryStorage(),
    intervalMs: 5,
    gracePeriodMs: 0,
    log: (event) => events.push(event),
    metrics,
    collect: (_storage, options) => {
      assert.equal(options?.gracePeriodMs, 0);
      return Promise.resolve(report(100));
    },
  });
  await until(() => metrics.gcRuns.value() >= 3);
  await gc.shutdown();

  const runs = metrics.gcRuns.value();
  assert.equal(metrics.gcBytesReclaimed.value(), 100 * runs);
  const finished = events.filter((e) => e.msg === "gc finished");
  assert.equal(finished.length, runs);
  assert.equal(finished[0].level, "info");
  assert.equal(finished[0].blobsRemoved, 1);
  assert.equal(finished[0].bytesReclaimed, 100);
});

Deno.test("startPeriodicGc() never starts a run while the last is still going", async () => {
  let active = 0;
  let most = 0;
  let runs = 0;
  const gc = startPeriodicGc({
    storage: new MemoryStorage(),
    intervalMs: 1,
    log: () => {},
    collect: async () => {
      active++;
      most = Math.max(most, active);
      await sleep(30);
      active--;
      runs++;
      return report(0);
    },
  });
  await until(() => runs >= 3);
  await gc.shutdown();
  assert.equal(most, 1);
});

Deno.test("startPeriodicGc() shutdown waits for the run in progress and starts no other", async () => {
  const started = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  let runs = 0;
  let finished = false;
  const gc = startPeriodicGc({
    storage: new MemoryStorage(),
    intervalMs: 1,
    log: () => {},
    collect: async () => {
      runs++;
      started.resolve();
      await release.promise;
      finished = true;
      return report(0);
    },
  });
  await started.promise;
  const stopping = gc.shutdown();
  await sleep(20);
  assert.equal(finished, false, "shutdown does not cut the run short");
  release.resolve();
  await stopping;
  assert.equal(finished, true);
  await sleep(20);
  assert.equal(runs, 1);
});

Deno.test("startPeriodicGc() logs a failed run as an error, does not count it, and keeps going", async () => {
  const events: LogEvent[] = [];
  const metrics = new Metrics();
  let calls = 0;
  const gc = startPeriodicGc({
    storage: new MemoryStorage(),
    intervalMs: 1,
    log: (event) => events.push(event),
    metrics,
    collect: () => {
      calls++;
      return calls === 1
        ? Promise.reject(new Error("disk on fire"))
        : Promise.resolve(report(7));
    },
  });
  await until(() => metrics.gcRuns.value() >= 1);
  await gc.shutdown();
  const failure = events.find((e) => e.msg === "gc failed");
  assert.equal(failure?.level, "error");
  assert.equal(failure?.error, "disk on fire");
  assert.equal(metrics.gcRuns.value(), calls - 1);
});

Deno.test("main.ts --gc-interval removes an unreferenced blob in the background and counts the run in /metrics", async () => {
  const storage = await Deno.makeTempDir();
  const server = await startServer([
    "--port=0",
    `--storage=${storage}`,
    "--metrics",
    "--gc-interval=100ms",
    "--gc-grace=0",
  ]);
  try {
    const content = new TextEncoder().encode("a blob no manifest names");
    const digest = await sha256Digest(content);
    const pushed = await fetch(
      `${server.url}/v2/lonely/blobs/uploads/?digest=${digest}`,
      { method: "POST", body: content },
    );
    await pushed.body?.cancel();
    assert.equal(pushed.status, 201);

    await until(async () => {
      const response = await fetch(`${server.url}/v2/lonely/blobs/${digest}`, {
        method: "HEAD",
      });
      return response.status === 404;
    });
    // The blob goes during a run; the run is counted once it has finished.
    await until(async () => {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const runs = Number(
        metrics.match(/^registry_gc_runs_total (\d+)$/m)?.[1],
      );
      const bytes = Number(
        metrics.match(/^registry_gc_reclaimed_bytes_total (\d+)$/m)?.[1],
      );
      return runs >= 1 && bytes >= content.byteLength;
    });
    await until(() =>
      server.lines.some((l) => / INFO gc finished .*blobsRemoved=1/.test(l))
    );
  } finally {
    const status = await server.stop();
    await Deno.remove(storage, { recursive: true });
    assert.equal(status.code, 0);
  }
});
