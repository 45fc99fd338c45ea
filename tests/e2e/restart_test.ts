/**
 * Durability across a restart: what was pushed before the registry
 * stopped is served, unchanged, by a new process on the same storage, and
 * pushing into the same repositories still works afterwards.
 *
 * @module
 */

import assert from "node:assert/strict";
import { inspectRaw, listTags, skopeo } from "./_clients.ts";
import { multiLayerImage, twoPlatformIndex } from "./_fixtures.ts";
import { e2eTest } from "./_harness.ts";
import { assertSameLayoutImage, sha256 } from "./_layout.ts";

const push = ["copy", "--preserve-digests", "--dest-tls-verify=false"];
const pull = ["copy", "--preserve-digests", "--src-tls-verify=false"];

e2eTest(
  "a restarted registry serves what was pushed before it stopped",
  ["skopeo"],
  async ({ server, dir, restart }) => {
    const image = await dir("image");
    const { digest } = await multiLayerImage(image);
    const multi = await dir("multi");
    const { index } = await twoPlatformIndex(multi);
    await skopeo([
      ...push,
      `oci:${image}:v1`,
      `docker://${server.host}/keep/img:v1`,
    ]);
    await skopeo([
      ...push,
      "--all",
      `oci:${multi}:multi`,
      `docker://${server.host}/keep/multi:multi`,
    ]);

    const { host } = await restart();

    assert.equal(sha256(await inspectRaw(`${host}/keep/img:v1`)), digest);
    assert.equal(
      sha256(await inspectRaw(`${host}/keep/multi:multi`)),
      index.digest,
    );
    const imageCopy = await dir("image-copy");
    await skopeo([
      ...pull,
      `docker://${host}/keep/img:v1`,
      `oci:${imageCopy}:v1`,
    ]);
    await assertSameLayoutImage(image, imageCopy, "v1");
    const multiCopy = await dir("multi-copy");
    await skopeo([
      ...pull,
      "--all",
      `docker://${host}/keep/multi:multi`,
      `oci:${multiCopy}:multi`,
    ]);
    await assertSameLayoutImage(multi, multiCopy, "multi");

    await skopeo([
      ...push,
      `oci:${image}:v1`,
      `docker://${host}/keep/img:again`,
    ]);
    assert.deepEqual(await listTags(`${host}/keep/img`), ["again", "v1"]);
  },
);
