/**
 * podman against the registry: it pulls an image skopeo pushed, by tag
 * and by digest, and pushes it back under another name. podman
 * recompresses layers on push, so the pushed layers are checked by what
 * they hold (their files, and their uncompressed digest against the
 * config's `diff_ids`) rather than by their compressed bytes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { inspectRaw, podman, skopeo } from "./_clients.ts";
import { multiLayerFiles, multiLayerImage } from "./_fixtures.ts";
import { e2eTest } from "./_harness.ts";
import { assertLayerFiles, blobPath, sha256 } from "./_layout.ts";

e2eTest(
  "podman pulls an image by tag and digest, and pushes it under a new name",
  ["skopeo", "podman"],
  async ({ server, dir }) => {
    const source = await dir("source");
    const image = await multiLayerImage(source);
    const manifest = JSON.parse(
      await Deno.readTextFile(blobPath(source, image.digest)),
    );
    const pulled = `${server.host}/podman/source:v1`;
    await skopeo([
      "copy",
      "--dest-tls-verify=false",
      `oci:${source}:v1`,
      `docker://${pulled}`,
    ]);
    const work = await dir("podman");
    const tool = await podman(work);

    await tool.run(["pull", "--tls-verify=false", pulled]);
    await tool.run([
      "pull",
      "--tls-verify=false",
      `${server.host}/podman/source@${image.digest}`,
    ]);

    // podman's image id is the digest of the image's config.
    const id = await tool.text([
      "image",
      "inspect",
      "--format",
      "{{.Id}}",
      pulled,
    ]);
    assert.equal(`sha256:${id}`, manifest.config.digest);

    const pushed = `${server.host}/podman/pushed:p1`;
    await tool.run(["tag", pulled, pushed]);
    await tool.run([
      "push",
      "--tls-verify=false",
      "--digestfile",
      `${work}/digest`,
      pushed,
    ]);

    const served = await inspectRaw(pushed);
    const reported = (await Deno.readTextFile(`${work}/digest`)).trim();
    assert.equal(sha256(served), reported);
    const copy = await dir("copy");
    await skopeo([
      "copy",
      "--src-tls-verify=false",
      `docker://${pushed}`,
      `oci:${copy}:p1`,
    ]);
    await assertLayerFiles(copy, "p1", multiLayerFiles);
  },
);
