/**
 * Garbage collection against a store that changes under it: a link or a
 * tag that a push adds between the mark and the sweep saves what it
 * names; real modification times decide age on a file system; and an
 * upload directory whose record is still being written is left alone.
 *
 * @module
 */

import assert from "node:assert/strict";
import { blobKey, layerLinkKey } from "../../src/content/keys.ts";
import { collectGarbage } from "../../src/maintenance/gc.ts";
import { parseDigest } from "../../src/protocol/names.ts";
import { createRegistry } from "../../src/registry.ts";
import { FileStorage } from "../../src/storage/filesystem.ts";
import type { Storage } from "../../src/storage/types.ts";
import { Client, ociManifest, uniqueBytes } from "../integrity/_client.ts";
import { later, storeTest } from "./_stores.ts";

const hour = 60 * 60 * 1000;

async function stored(storage: Storage, digest: string): Promise<boolean> {
  return (await storage.stat(blobKey(parseDigest(digest)))) !== undefined;
}

storeTest(
  "collectGarbage() spares a blob that a repository links while collection runs",
  async ({ storage, client }) => {
    const orphan = await client.pushBlob("first", uniqueBytes(1200));
    // Every call collection makes waits for the push below to finish, so
    // the push lands between the mark and the sweep.
    let push: Promise<unknown> = Promise.resolve();
    const gated = gate(storage, () => push);

    const report = await collectGarbage(gated, {
      now: later(),
      onProgress: (event) => {
        if (event.phase === "sweep" && event.done === 0) {
          push = storage.write(
            layerLinkKey("second", parseDigest(orphan.digest)),
            new Uint8Array(0),
          );
        }
      },
    });

    assert.equal(report.blobsRemoved, 0);
    assert.equal(await stored(storage, orphan.digest), true);
    await client.pullBlob("second", orphan);
  },
);

storeTest(
  "collectGarbage() keeps an untagged manifest that is tagged while collection runs",
  async ({ storage, client }) => {
    const image = await client.pushImage("race", undefined, [
      uniqueBytes(800),
    ]);
    const manifest = await client.request(
      "GET",
      `/v2/race/manifests/${image.manifest.digest}`,
    );
    const bytes = new Uint8Array(await manifest.arrayBuffer());
    let push: Promise<unknown> = Promise.resolve();
    const gated = gate(storage, () => push);

    const report = await collectGarbage(gated, {
      now: later(),
      deleteUntagged: true,
      onProgress: (event) => {
        if (event.phase === "sweep" && event.done === 0) {
          push = client.putManifest("race", "now-tagged", bytes, ociManifest);
        }
      },
    });

    assert.equal((await push as Response).status, 201);
    assert.equal(report.items.length, 0);
    await client.pullAll("race", "now-tagged");
  },
);

Deno.test(
  "collectGarbage() goes by modification time: an old orphan goes, a young one stays (file system)",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "maintenance_" });
    try {
      const storage = new FileStorage(dir);
      const registry = createRegistry({ storage });
      const client = new Client((request) => registry.fetch(request));
      const old = await client.pushBlob("aged", uniqueBytes(1500));
      const young = await client.pushBlob("aged", uniqueBytes(1600));
      const twoHoursAgo = new Date(Date.now() - 2 * hour);
      for (
        const key of [
          blobKey(parseDigest(old.digest)),
          layerLinkKey("aged", parseDigest(old.digest)),
        ]
      ) {
        await Deno.utime(`${dir}/${key}`, twoHoursAgo, twoHoursAgo);
      }

      const report = await collectGarbage(storage);

      const blobs = report.items.filter((item) => item.kind === "blob");
      assert.deepEqual(blobs.map((item) => item.digest), [old.digest]);
      assert.equal(await stored(storage, old.digest), false);
      assert.equal(await stored(storage, young.digest), true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/** `storage`, with every call waiting first for `pending()`: a push
 * started from a progress event lands before collection goes on. */
function gate(storage: Storage, pending: () => Promise<unknown>): Storage {
  return new Proxy(storage, {
    get(target, name) {
      const value = Reflect.get(target, name);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await pending();
        return value.apply(target, args);
      };
    },
  });
}

Deno.test(
  "collectGarbage() leaves alone a file being written among the upload sessions (file system)",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "maintenance_" });
    try {
      await Deno.mkdir(`${dir}/uploads`, { recursive: true });
      await Deno.writeTextFile(`${dir}/uploads/.tmp-1`, "{");
      const storage = new FileStorage(dir);

      const report = await collectGarbage(storage, {
        now: new Date(Date.now() + 48 * hour),
      });

      assert.equal(report.uploadsRemoved, 0);
      assert.equal(await Deno.readTextFile(`${dir}/uploads/.tmp-1`), "{");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
