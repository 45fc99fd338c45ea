/**
 * Verification: a clean store reports nothing; a blob overwritten with
 * garbage is corrupt, and with repair is quarantined so it is no longer
 * served and can be pushed again; deleted bytes, unlinked layers and
 * dangling tags are reported as missing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { blobKey, referrerKey, tagKey } from "../../src/content/keys.ts";
import { quarantineKey } from "../../src/content/keys.ts";
import { verifyStore } from "../../src/maintenance/verify.ts";
import { parseDigest } from "../../src/protocol/names.ts";
import { encode, sha256, uniqueBytes } from "../integrity/_client.ts";
import { storeTest } from "./_stores.ts";

storeTest(
  "verifyStore() reports a store of whole images as clean",
  async ({ storage, client }) => {
    const image = await client.pushImage("clean", "v1", [
      uniqueBytes(2000),
      uniqueBytes(70_000),
    ], { chunks: 3 });
    await client.pushImage("clean", undefined, [uniqueBytes(10)], {
      subject: image.manifest,
    });
    const events: string[] = [];

    const report = await verifyStore(storage, {
      onProgress: (event) => events.push(event.phase),
    });

    assert.equal(report.clean, true);
    assert.deepEqual(report.corrupt, []);
    assert.deepEqual(report.missing, []);
    assert.deepEqual(report.warnings, []);
    assert.equal(report.blobsChecked, 7);
    assert.ok(report.bytesChecked > 72_000);
    assert.ok(events.includes("blobs") && events.includes("references"));
  },
);

storeTest(
  "verifyStore() finds a blob whose bytes were replaced, and repair quarantines it",
  async ({ storage, client }) => {
    const image = await client.pushImage("bad", "v1", [uniqueBytes(3000)]);
    const layer = image.layers[0];
    const key = blobKey(parseDigest(layer.digest));
    const garbage = uniqueBytes(3000);
    await storage.write(key, garbage);

    const found = await verifyStore(storage);
    assert.equal(found.clean, false);
    assert.deepEqual(found.corrupt, [{
      digest: layer.digest,
      key,
      size: 3000,
      actual: sha256(garbage),
    }]);
    assert.deepEqual(found.missing, []);
    assert.notEqual(await storage.stat(key), undefined, "only reported");

    const repaired = await verifyStore(storage, { repair: true });
    const quarantined = quarantineKey(parseDigest(layer.digest));
    assert.equal(repaired.corrupt[0].quarantinedAs, quarantined);
    assert.equal(await storage.stat(key), undefined);
    assert.deepEqual(await storage.readBytes(quarantined), garbage);
    assert.deepEqual(repaired.missing.map((m) => [m.kind, m.digest]), [
      ["blob", layer.digest],
      ["blob", layer.digest],
    ]);
    const served = await client.request("GET", `/v2/bad/blobs/${layer.digest}`);
    assert.equal(served.status, 404);
    await served.body?.cancel();
  },
);

storeTest(
  "verifyStore() is clean again once a quarantined blob is pushed again",
  async ({ storage, client }) => {
    const bytes = uniqueBytes(4000);
    await client.pushImage("again", "v1", [bytes]);
    const digest = parseDigest(sha256(bytes));
    await storage.write(blobKey(digest), uniqueBytes(4000));
    await verifyStore(storage, { repair: true });

    await client.pushBlob("again", bytes);

    const report = await verifyStore(storage);
    assert.equal(report.clean, true);
    await client.pullAll("again", "v1");
  },
);

storeTest(
  "verifyStore() reports missing bytes, unlinked layers and dangling tags and referrers",
  async ({ storage, client }) => {
    const image = await client.pushImage("gaps", "v1", [
      uniqueBytes(100),
      uniqueBytes(200),
    ]);
    const [deleted, unlinked] = image.layers;
    await storage.delete(blobKey(parseDigest(deleted.digest)));
    const response = await client.request(
      "DELETE",
      `/v2/gaps/blobs/${unlinked.digest}`,
    );
    assert.equal(response.status, 202);
    await response.body?.cancel();
    const nowhere = sha256(encode("no such manifest"));
    await storage.write(
      tagKey("gaps", "dangling"),
      new TextEncoder().encode(nowhere),
    );
    await storage.write(
      referrerKey(
        "gaps",
        parseDigest(image.manifest.digest),
        parseDigest(nowhere),
      ),
      encode({}),
    );

    const report = await verifyStore(storage);

    assert.equal(report.clean, false);
    assert.deepEqual(report.corrupt, []);
    const by = `manifest ${image.manifest.digest}`;
    const expected = [
      { kind: "blob", digest: deleted.digest, referencedBy: by },
      { kind: "blob", digest: deleted.digest, referencedBy: "layer link" },
      { kind: "link", digest: unlinked.digest, referencedBy: by },
      { kind: "manifest", digest: nowhere, referencedBy: "tag dangling" },
      {
        kind: "manifest",
        digest: nowhere,
        referencedBy: `referrers of ${image.manifest.digest}`,
      },
    ].map((m) => ({ ...m, repository: "gaps" }));
    const key = (m: { kind: string; digest: string; referencedBy: string }) =>
      `${m.kind} ${m.digest} ${m.referencedBy}`;
    assert.deepEqual(
      report.missing.map(key).sort(),
      expected.map(key).sort(),
    );
  },
);

storeTest(
  "verifyStore() reports a manifest whose bytes are gone",
  async ({ storage, client }) => {
    const image = await client.pushImage("lost", "v1", [uniqueBytes(10)]);
    await storage.delete(blobKey(parseDigest(image.manifest.digest)));

    const report = await verifyStore(storage);

    assert.deepEqual(report.missing, [{
      kind: "blob",
      repository: "lost",
      digest: image.manifest.digest,
      referencedBy: "manifest record",
    }]);
  },
);

storeTest(
  "verifyStore() counts upload sessions without reporting them",
  async ({ storage, client }) => {
    const started = await client.request("POST", "/v2/up/blobs/uploads/");
    assert.equal(started.status, 202);
    await started.body?.cancel();

    const report = await verifyStore(storage);

    assert.equal(report.clean, true);
    assert.equal(report.uploadSessions, 1);
  },
);
