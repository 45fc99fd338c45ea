/**
 * A layer of 20 MiB of random bytes, which gzip cannot shrink, pushed and
 * pulled back with skopeo: large enough that the upload and the download
 * stream in many chunks, so a registry that buffers, truncates or
 * reorders them shows it as a changed digest.
 *
 * @module
 */

import assert from "node:assert/strict";
import { inspectRaw, skopeo } from "./_clients.ts";
import { largeImage } from "./_fixtures.ts";
import { e2eTest } from "./_harness.ts";
import { assertSameLayoutImage, sha256 } from "./_layout.ts";

e2eTest(
  "skopeo round-trips an image with a 20 MiB layer unchanged",
  ["skopeo"],
  async ({ server, dir }) => {
    const source = await dir("source");
    const image = await largeImage(source);
    const reference = `${server.host}/large/blob:big`;

    await skopeo([
      "copy",
      "--preserve-digests",
      "--dest-tls-verify=false",
      `oci:${source}:big`,
      `docker://${reference}`,
    ]);

    assert.equal(sha256(await inspectRaw(reference)), image.digest);
    const copy = await dir("copy");
    await skopeo([
      "copy",
      "--preserve-digests",
      "--src-tls-verify=false",
      `docker://${reference}`,
      `oci:${copy}:big`,
    ]);
    await assertSameLayoutImage(source, copy, "big");
  },
);
