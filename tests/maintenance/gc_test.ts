/**
 * Garbage collection: what it removes, what it keeps (everything a tag
 * reaches through indexes, manifests and referrers, and everything young),
 * dry runs, abandoned uploads, untagged manifests, and a repository it
 * cannot fully read. `gc_safety_test.ts` covers a store that changes
 * while collection runs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { blobKey, uploadDataKey } from "../../src/content/keys.ts";
import { collectGarbage } from "../../src/maintenance/gc.ts";
import { parseDigest } from "../../src/protocol/names.ts";
import type { Storage } from "../../src/storage/types.ts";
import {
  type Descriptor,
  encode,
  imageIndex,
  sha256,
  uniqueBytes,
} from "../integrity/_client.ts";
import { later, storeTest } from "./_stores.ts";

const hour = 60 * 60 * 1000;

async function stored(storage: Storage, digest: string): Promise<boolean> {
  return (await storage.stat(blobKey(parseDigest(digest)))) !== undefined;
}

function removedDigests(
  items: { kind: string; digest?: string }[],
  kind: string,
) {
  return items.filter((i) => i.kind === kind).map((i) => i.digest).sort();
}

storeTest(
  "collectGarbage() removes a blob no manifest needs and keeps a tagged image whole",
  async ({ storage, client }) => {
    const image = await client.pushImage("app", "v1", [
      uniqueBytes(3000),
      uniqueBytes(5000),
    ]);
    const orphan = await client.pushBlob("app", uniqueBytes(7000));

    const report = await collectGarbage(storage, { now: later() });

    assert.deepEqual(removedDigests(report.items, "blob"), [orphan.digest]);
    assert.deepEqual(removedDigests(report.items, "link"), [orphan.digest]);
    assert.equal(report.blobsRemoved, 1);
    assert.equal(report.linksRemoved, 1);
    assert.equal(report.manifestsRemoved, 0);
    assert.equal(report.bytesReclaimed, 7000);
    assert.deepEqual(report.warnings, []);
    assert.equal(await stored(storage, orphan.digest), false);
    await client.pullAll("app", "v1");
    await client.pullAll("app", image.manifest.digest);
  },
);

storeTest(
  "collectGarbage() keeps what a tagged index reaches, and referrers of kept manifests",
  async ({ storage, client }) => {
    const shared = uniqueBytes(4000);
    const amd = await client.pushImage("multi", undefined, [shared]);
    const arm = await client.pushImage("multi", undefined, [
      shared,
      uniqueBytes(4100),
    ]);
    const index = await client.pushManifest(
      "multi",
      "latest",
      imageIndex([amd.manifest, arm.manifest]),
    );
    const signature = await client.pushImage("multi", undefined, [
      uniqueBytes(300),
    ], { subject: index });
    const untagged = await client.pushImage("multi", undefined, [
      uniqueBytes(4200),
    ]);
    const untaggedReferrer = await client.pushImage("multi", undefined, [
      uniqueBytes(310),
    ], { subject: untagged.manifest });

    const report = await collectGarbage(storage, {
      now: later(),
      deleteUntagged: true,
    });

    assert.deepEqual(
      removedDigests(report.items, "manifest"),
      [untagged.manifest.digest, untaggedReferrer.manifest.digest].sort(),
    );
    assert.deepEqual(
      removedDigests(report.items, "referrer"),
      [untaggedReferrer.manifest.digest],
    );
    const goneBlobs = [
      untagged.manifest,
      untagged.config,
      ...untagged.layers,
      untaggedReferrer.manifest,
      untaggedReferrer.config,
      ...untaggedReferrer.layers,
    ].map((d) => d.digest).sort();
    assert.deepEqual(removedDigests(report.items, "blob"), goneBlobs);

    await client.pullAll("multi", "latest");
    await client.pullAll("multi", signature.manifest.digest);
    const referrers = await client.request(
      "GET",
      `/v2/multi/referrers/${index.digest}`,
    );
    const listed = (await referrers.json()).manifests.map((
      m: Descriptor,
    ) => m.digest);
    assert.deepEqual(listed, [signature.manifest.digest]);
    const gone = await client.request(
      "GET",
      `/v2/multi/referrers/${untagged.manifest.digest}`,
    );
    assert.deepEqual((await gone.json()).manifests, []);
  },
);

storeTest(
  "collectGarbage() keeps untagged manifests unless told to delete them",
  async ({ storage, client }) => {
    const untagged = await client.pushImage("keep", undefined, [
      uniqueBytes(1000),
    ]);

    const kept = await collectGarbage(storage, { now: later() });
    assert.equal(kept.items.length, 0);
    await client.pullAll("keep", untagged.manifest.digest);

    const removed = await collectGarbage(storage, {
      now: later(),
      deleteUntagged: true,
    });
    assert.equal(removed.manifestsRemoved, 1);
    assert.equal(removed.blobsRemoved, 3);
    const response = await client.request(
      "GET",
      `/v2/keep/manifests/${untagged.manifest.digest}`,
    );
    assert.equal(response.status, 404);
    await response.body?.cancel();
  },
);

storeTest(
  "collectGarbage() removes nothing younger than the grace period",
  async ({ storage, client }) => {
    const orphan = await client.pushBlob("young", uniqueBytes(1000));
    const untagged = await client.pushImage("young", undefined, [
      uniqueBytes(1000),
    ]);

    const report = await collectGarbage(storage, { deleteUntagged: true });
    assert.equal(report.items.length, 0);
    assert.equal(await stored(storage, orphan.digest), true);
    await client.pullAll("young", untagged.manifest.digest);

    const almost = new Date(Date.now() + hour - 60_000);
    const still = await collectGarbage(storage, {
      now: almost,
      deleteUntagged: true,
    });
    assert.equal(still.items.length, 0);
    const shorter = await collectGarbage(storage, {
      now: almost,
      gracePeriodMs: 30 * 60 * 1000,
      deleteUntagged: true,
    });
    assert.equal(shorter.blobsRemoved, 4);
  },
);

storeTest(
  "collectGarbage() with dryRun reports what a real run then removes, and removes nothing",
  async ({ storage, client }) => {
    await client.pushImage("dry", "v1", [uniqueBytes(2000)]);
    await client.pushImage("dry", undefined, [uniqueBytes(2100)]);
    await client.pushBlob("dry", uniqueBytes(2200));

    const options = { now: later(), deleteUntagged: true };
    const preview = await collectGarbage(storage, { ...options, dryRun: true });
    assert.equal(preview.dryRun, true);
    assert.equal(preview.blobsRemoved, 4);
    const again = await collectGarbage(storage, { ...options, dryRun: true });
    assert.deepEqual(again.items, preview.items);

    const real = await collectGarbage(storage, options);
    assert.equal(real.dryRun, false);
    const keys = (r: typeof real) => r.items.map((i) => i.key).sort();
    assert.deepEqual(keys(real), keys(preview));
    assert.equal(real.bytesReclaimed, preview.bytesReclaimed);
    await client.pullAll("dry", "v1");

    const second = await collectGarbage(storage, options);
    assert.equal(second.items.length, 0);
  },
);

storeTest(
  "collectGarbage() removes abandoned upload sessions and keeps active ones",
  async ({ storage, client }) => {
    const start = await client.request("POST", "/v2/up/blobs/uploads/");
    const abandoned = start.headers.get("Location")!;
    const chunk = await client.request("PATCH", abandoned, {
      body: uniqueBytes(500),
    });
    assert.equal(chunk.status, 202);

    const none = await collectGarbage(storage, {
      now: new Date(Date.now() + 2 * hour),
    });
    assert.equal(none.uploadsRemoved, 0);

    const report = await collectGarbage(storage, {
      now: new Date(Date.now() + 25 * hour),
    });
    assert.equal(report.uploadsRemoved, 1);
    // The bytes received, plus the session's small record.
    assert.ok(report.items[0].size >= 500 && report.items[0].size < 1000);
    const gone = await client.request("GET", abandoned);
    assert.equal(gone.status, 404);
    await gone.body?.cancel();

    const active = await client.request("POST", "/v2/up/blobs/uploads/");
    const location = active.headers.get("Location")!;
    const quick = await collectGarbage(storage, { uploadMaxAgeMs: 0 });
    assert.equal(quick.uploadsRemoved, 0, "the grace period protects it");
    const bytes = uniqueBytes(100);
    const done = await client.request(
      "PUT",
      `${location}?digest=${encodeURIComponent(sha256(bytes))}`,
      { body: bytes },
    );
    assert.equal(done.status, 201);
    assert.equal(
      await storage.stat(uploadDataKey(location.split("/").pop()!)),
      undefined,
    );
  },
);

storeTest(
  "collectGarbage() leaves a repository alone when one of its manifests cannot be read",
  async ({ storage, client }) => {
    const image = await client.pushImage("broken", "v1", [uniqueBytes(900)]);
    const orphan = await client.pushBlob("broken", uniqueBytes(901));
    await storage.write(
      blobKey(parseDigest(image.manifest.digest)),
      encode({ not: "a manifest" }),
    );

    const report = await collectGarbage(storage, {
      now: later(),
      deleteUntagged: true,
    });

    assert.equal(report.linksRemoved, 0);
    assert.equal(report.blobsRemoved, 0);
    assert.equal(await stored(storage, orphan.digest), true);
    assert.ok(report.warnings.some((w) => w.startsWith("broken: ")));
  },
);

storeTest(
  "collectGarbage() keeps a layer an index's child needs even when only the index is tagged",
  async ({ storage, client }) => {
    const child = await client.pushImage("deep", undefined, [uniqueBytes(600)]);
    const inner = await client.pushManifest(
      "deep",
      sha256(encode(imageIndex([child.manifest]))),
      imageIndex([child.manifest]),
    );
    await client.pushManifest("deep", "top", imageIndex([inner]));

    const report = await collectGarbage(storage, {
      now: later(),
      deleteUntagged: true,
    });
    assert.equal(report.items.length, 0);
    await client.pullAll("deep", "top");
  },
);
