import assert from "node:assert/strict";
import type { Hooks } from "../../src/hooks/types.ts";
import type { LogEvent } from "../../src/log.ts";
import {
  digestOf,
  pushBlob,
  pushImage,
  pushManifest,
  startUpload,
  testRegistry,
  types,
} from "./_helpers.ts";

/** Hooks that record every event they get, by hook name. */
function recorder(): { hooks: Hooks; events: [string, unknown][] } {
  const events: [string, unknown][] = [];
  return {
    events,
    hooks: {
      onBlobPushed: (e) => void events.push(["onBlobPushed", e]),
      onManifestPushed: (e) => void events.push(["onManifestPushed", e]),
      onDeleted: (e) => void events.push(["onDeleted", e]),
    },
  };
}

Deno.test("onBlobPushed gets repository, digest and size for every way of pushing", async () => {
  const { hooks, events } = recorder();
  const t = testRegistry({ hooks });
  const monolithic = await pushBlob(t, "app", "monolithic");

  const chunked = new TextEncoder().encode("chunked upload");
  const location = await startUpload(t, "app");
  await t.send("PATCH", location, { body: chunked });
  const put = await t.send(
    "PUT",
    `${location}?digest=${digestOf(chunked)}`,
  );
  assert.equal(put.status, 201);

  const mount = await t.send(
    "POST",
    `/v2/other/blobs/uploads/?mount=${monolithic.digest}&from=app`,
  );
  assert.equal(mount.status, 201);

  assert.deepEqual(events, [
    ["onBlobPushed", {
      repository: "app",
      digest: monolithic.digest,
      size: 10,
    }],
    ["onBlobPushed", {
      repository: "app",
      digest: digestOf(chunked),
      size: 14,
    }],
    ["onBlobPushed", {
      repository: "other",
      digest: monolithic.digest,
      size: 10,
    }],
  ]);
});

Deno.test("onManifestPushed gets the reference, digest, media type and size", async () => {
  const t0 = testRegistry();
  const image = await pushImage(t0, "app");
  const { hooks, events } = recorder();
  const t = testRegistry({ storage: t0.storage, hooks });
  await pushManifest(t, "app", "v1", image.bytes);
  await pushManifest(t, "app", image.digest, image.bytes);
  const expected = {
    repository: "app",
    digest: image.digest,
    mediaType: types.manifest,
    size: image.bytes.byteLength,
  };
  assert.deepEqual(events, [
    ["onManifestPushed", { ...expected, reference: "v1" }],
    ["onManifestPushed", { ...expected, reference: image.digest }],
  ]);
});

Deno.test("onDeleted gets the kind and reference of each deletion", async () => {
  const t0 = testRegistry();
  const image = await pushImage(t0, "app", { reference: "v1" });
  const blob = await pushBlob(t0, "app", "to delete");
  const { hooks, events } = recorder();
  const t = testRegistry({ storage: t0.storage, hooks });
  assert.equal((await t.send("DELETE", "/v2/app/manifests/v1")).status, 202);
  assert.equal(
    (await t.send("DELETE", `/v2/app/manifests/${image.digest}`)).status,
    202,
  );
  assert.equal(
    (await t.send("DELETE", `/v2/app/blobs/${blob.digest}`)).status,
    202,
  );
  assert.deepEqual(events, [
    ["onDeleted", { repository: "app", kind: "tag", reference: "v1" }],
    ["onDeleted", {
      repository: "app",
      kind: "manifest",
      reference: image.digest,
    }],
    ["onDeleted", { repository: "app", kind: "blob", reference: blob.digest }],
  ]);
});

Deno.test("hooks are not called for pushes and deletions that fail", async () => {
  const { hooks, events } = recorder();
  const t = testRegistry({ hooks });
  const wrong = await t.send(
    "POST",
    `/v2/app/blobs/uploads/?digest=${digestOf("other")}`,
    { body: new TextEncoder().encode("content") },
  );
  assert.equal(wrong.status, 400);
  const manifest = await pushManifest(t, "app", "v1", {
    schemaVersion: 2,
    config: { mediaType: types.config, digest: digestOf("none"), size: 4 },
    layers: [],
  });
  assert.equal(manifest.response.status, 400);
  assert.equal((await t.send("DELETE", "/v2/app/manifests/v1")).status, 404);
  assert.deepEqual(events, []);
});

Deno.test("a hook that throws or rejects does not fail the push and is logged", async () => {
  const logged: LogEvent[] = [];
  const hooks: Hooks = {
    onBlobPushed: () => {
      throw new Error("sync boom");
    },
    onManifestPushed: () => Promise.reject(new Error("async boom")),
  };
  const t = testRegistry({ hooks, log: (event) => logged.push(event) });
  const image = await pushImage(t, "app", { reference: "v1" });
  assert.equal(image.response.status, 201);
  const get = await t.send("GET", "/v2/app/manifests/v1");
  assert.equal(get.status, 200);
  await get.body?.cancel();

  const failures = logged.filter((e) => e.msg === "hook failed");
  assert.deepEqual(
    failures.map((e) => [e.level, e.hook, e.error]),
    [
      ["error", "onBlobPushed", "sync boom"],
      ["error", "onBlobPushed", "sync boom"],
      ["error", "onManifestPushed", "async boom"],
    ],
  );
  assert.ok(failures.every((e) => typeof e.requestId === "string"));
});
