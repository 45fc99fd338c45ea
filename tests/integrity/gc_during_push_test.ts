/**
 * Garbage collection running, with its default grace period, while
 * clients push: images, indexes of untagged children, referrers, and
 * layers mounted from an old repository. Collection removes the old
 * garbage it finds meanwhile, and every push that succeeded still pulls
 * whole afterwards.
 *
 * @module
 */

import assert from "node:assert/strict";
import { collectGarbage, type GcReport } from "../../src/maintenance/gc.ts";
import { verifyStore } from "../../src/maintenance/verify.ts";
import { createRegistry } from "../../src/registry.ts";
import { FileStorage } from "../../src/storage/filesystem.ts";
import {
  Client,
  type Descriptor,
  imageIndex,
  imageManifest,
  uniqueBytes,
} from "./_client.ts";

const workers = 8;
const imagesPerWorker = 4;

/** Sets the modification time of everything below `dir` to `ago` ms ago,
 * as if it had all been written then. */
async function age(dir: string, ago: number): Promise<void> {
  const when = new Date(Date.now() - ago);
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await age(path, ago);
    else await Deno.utime(path, when, when);
  }
}

/** One worker's pushes; resolves to the references that must pull. */
async function pushSome(
  client: Client,
  worker: number,
  base: Descriptor,
): Promise<[string, string][]> {
  const repository = `new/w${worker % 3}`;
  const pulls: [string, string][] = [];
  for (let i = 0; i < imagesPerWorker; i++) {
    const tag = `w${worker}-i${i}`;
    switch ((worker + i) % 4) {
      case 0: {
        // A layer the old tagged image holds, mounted rather than sent.
        await client.mountBlob(repository, "old/app", base);
        const config = await client.pushBlob(repository, uniqueBytes(200));
        const layer = await client.pushBlob(repository, uniqueBytes(30_000));
        await client.pushManifest(
          repository,
          tag,
          imageManifest(config, [base, layer]),
        );
        pulls.push([repository, tag]);
        break;
      }
      case 1: {
        const children = await Promise.all(
          [0, 1].map(() =>
            client.pushImage(repository, undefined, [uniqueBytes(20_000)])
          ),
        );
        await client.pushManifest(
          repository,
          tag,
          imageIndex(children.map((child) => child.manifest)),
        );
        pulls.push([repository, tag]);
        break;
      }
      case 2: {
        const image = await client.pushImage(repository, tag, [
          uniqueBytes(25_000),
        ], { chunks: 3 });
        const signature = await client.pushImage(repository, undefined, [
          uniqueBytes(100),
        ], { subject: image.manifest });
        pulls.push([repository, tag], [repository, signature.manifest.digest]);
        break;
      }
      default: {
        const image = await client.pushImage(repository, undefined, [
          uniqueBytes(15_000),
        ]);
        pulls.push([repository, image.manifest.digest]);
      }
    }
  }
  return pulls;
}

Deno.test("pushes running while garbage collection runs lose nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "integrity_gc_push_" });
  try {
    const storage = new FileStorage(dir);
    const registry = createRegistry({ storage });
    const client = new Client((request) => registry.fetch(request));

    const baseBytes = uniqueBytes(60_000);
    const kept = await client.pushImage("old/app", "v1", [baseBytes]);
    const untagged = await client.pushImage("old/app", undefined, [
      uniqueBytes(40_000),
    ]);
    const orphan = await client.pushBlob("old/app", uniqueBytes(50_000));
    await age(dir, 2 * 60 * 60 * 1000);

    let pushing = true;
    const collecting = (async () => {
      const reports: GcReport[] = [];
      while (pushing) {
        reports.push(await collectGarbage(storage, { deleteUntagged: true }));
      }
      return reports;
    })();
    const pushes = await Promise.allSettled(
      Array.from(
        { length: workers },
        (_, w) => pushSome(client, w, kept.layers[0]),
      ),
    );
    // Collection is stopped, and waited for, whether the pushes succeeded
    // or not: it must not outlive the directory.
    pushing = false;
    const reports = await collecting;
    const pulls = pushes.flatMap((outcome) => {
      if (outcome.status === "rejected") throw outcome.reason;
      return outcome.value;
    });

    assert.ok(reports.length >= 2, `collection ran ${reports.length} times`);
    const removed = new Set(
      reports.flatMap((r) => r.items.map((item) => item.digest)),
    );
    assert.ok(removed.has(orphan.digest), "old garbage was collected");
    assert.ok(removed.has(untagged.manifest.digest));
    for (const report of reports) assert.deepEqual(report.warnings, []);

    await client.pullAll("old/app", "v1");
    for (const [repository, reference] of pulls) {
      await client.pullAll(repository, reference);
    }
    const verified = await verifyStore(storage);
    assert.deepEqual(verified.corrupt, []);
    assert.deepEqual(verified.missing, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
