/**
 * Concurrent pushes through the handler onto a file storage: the same
 * blob from many clients at once, the same manifest, different manifests
 * to one tag, and chunks racing for one offset of a session. Afterwards
 * every tag must name a manifest that pulls whole, and verification must
 * find nothing wrong.
 *
 * @module
 */

import assert from "node:assert/strict";
import { verifyStore } from "../../src/maintenance/verify.ts";
import { createRegistry } from "../../src/registry.ts";
import { FileStorage } from "../../src/storage/filesystem.ts";
import {
  Client,
  imageIndex,
  imageManifest,
  sha256,
  uniqueBytes,
} from "./_client.ts";

const clients = 16;

async function withRegistry(
  body: (client: Client, storage: FileStorage) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "integrity_concurrency_" });
  try {
    const storage = new FileStorage(dir);
    const registry = createRegistry({ storage });
    await body(new Client((request) => registry.fetch(request)), storage);
    const report = await verifyStore(storage);
    assert.deepEqual(report.corrupt, []);
    assert.deepEqual(report.missing, []);
    assert.deepEqual(report.warnings, []);
    assert.equal(report.uploadSessions, 0, "no session is left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every tag of `repository` names a manifest that pulls whole. */
async function assertTagsWhole(client: Client, repository: string) {
  const response = await client.request("GET", `/v2/${repository}/tags/list`);
  const { tags } = await response.json();
  assert.ok(tags.length > 0);
  for (const tag of tags) await client.pullAll(repository, tag);
}

Deno.test("concurrent pushes of one blob all succeed and store it whole", async () => {
  await withRegistry(async (client) => {
    const bytes = uniqueBytes(700_000);
    const pushes = Array.from(
      { length: clients },
      (_, i) =>
        client.pushBlob(`same/blob${i % 4}`, bytes, {
          chunks: i % 2 === 0 ? 1 : 5,
        }),
    );
    const descriptors = await Promise.all(pushes);

    for (const [i, descriptor] of descriptors.entries()) {
      assert.equal(descriptor.digest, sha256(bytes));
      await client.pullBlob(`same/blob${i % 4}`, descriptor);
    }
  });
});

Deno.test("concurrent pushes of one manifest all succeed", async () => {
  await withRegistry(async (client) => {
    const layer = await client.pushBlob("same/manifest", uniqueBytes(5000));
    const config = await client.pushBlob("same/manifest", uniqueBytes(100));
    const body = imageManifest(config, [layer]);
    const digest = sha256(new TextEncoder().encode(JSON.stringify(body)));

    const pushes = Array.from(
      { length: clients },
      (_, i) =>
        client.pushManifest(
          "same/manifest",
          i % 2 === 0 ? "latest" : digest,
          body,
        ),
    );
    for (const pushed of await Promise.all(pushes)) {
      assert.equal(pushed.digest, digest);
    }
    assert.equal(await client.pullAll("same/manifest", "latest"), digest);
  });
});

Deno.test("concurrent pushes of different manifests to one tag leave it on one whole manifest", async () => {
  await withRegistry(async (client) => {
    const base = uniqueBytes(50_000);
    const pushes = Array.from(
      { length: clients },
      (_, i) =>
        i % 4 === 3
          ? client.pushImage("same/tag", undefined, [uniqueBytes(3000)]).then(
            (child) =>
              client.pushManifest(
                "same/tag",
                "latest",
                imageIndex([child.manifest]),
              ),
          )
          : client.pushImage("same/tag", "latest", [base, uniqueBytes(3000)])
            .then((image) => image.manifest),
    );
    const pushed = (await Promise.all(pushes)).map((d) => d.digest);

    const tagged = await client.pullAll("same/tag", "latest");
    assert.ok(pushed.includes(tagged), "the tag names one of the pushes");
    for (const digest of pushed) await client.pullAll("same/tag", digest);
    await assertTagsWhole(client, "same/tag");
  });
});

Deno.test("chunks racing for one offset of a session: one is taken, whole, and the rest refused", async () => {
  await withRegistry(async (client) => {
    const started = await client.request("POST", "/v2/race/blobs/uploads/");
    assert.equal(started.status, 202);
    await started.body?.cancel();
    const location = started.headers.get("Location")!;
    const chunks = Array.from({ length: 8 }, () => uniqueBytes(300_000));

    const answers = await Promise.all(chunks.map(async (chunk) => {
      const response = await client.request("PATCH", location, {
        body: chunk,
        headers: { "Content-Range": `0-${chunk.byteLength - 1}` },
      });
      await response.body?.cancel();
      return response.status;
    }));
    assert.equal(answers.filter((s) => s === 202).length, 1, `${answers}`);
    assert.ok(answers.every((s) => s === 202 || s === 416), `${answers}`);

    const winner = chunks[answers.indexOf(202)];
    const done = await client.request(
      "PUT",
      `${location}?digest=${sha256(winner)}`,
    );
    assert.equal(done.status, 201);
    await done.body?.cancel();
    await client.pullBlob("race", {
      mediaType: "application/octet-stream",
      digest: sha256(winner),
      size: winner.byteLength,
    });
  });
});

Deno.test("many clients pushing overlapping images into shared repositories leave every tag whole", async () => {
  await withRegistry(async (client) => {
    const base = uniqueBytes(200_000);
    const repositories = ["mixed/a", "mixed/b", "mixed/c"];
    await Promise.all(
      Array.from({ length: clients }, async (_, worker) => {
        for (let round = 0; round < 3; round++) {
          const repository = repositories[(worker + round) % 3];
          const tag = round === 2 ? "shared" : `w${worker}-r${round}`;
          await client.pushImage(repository, tag, [
            base,
            uniqueBytes(1000 + worker * 100),
          ], { chunks: round + 1 });
        }
      }),
    );
    for (const repository of repositories) {
      await assertTagsWhole(client, repository);
    }
  });
});
