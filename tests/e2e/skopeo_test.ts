/**
 * skopeo against the registry: images pushed and pulled back must come
 * back byte for byte, whether an OCI image under a nested repository name,
 * a two-platform index copied with `--all`, or a Docker schema 2 image.
 * `--preserve-digests` makes skopeo refuse rather than quietly convert, so
 * a changed digest is the registry's doing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { inspectRaw, skopeo } from "./_clients.ts";
import {
  dockerSchema2Image,
  multiLayerImage,
  twoPlatformIndex,
} from "./_fixtures.ts";
import { e2eTest } from "./_harness.ts";
import {
  assertSameDirImage,
  assertSameLayoutImage,
  sha256,
} from "./_layout.ts";

const push = ["copy", "--preserve-digests", "--dest-tls-verify=false"];
const pull = ["copy", "--preserve-digests", "--src-tls-verify=false"];

e2eTest(
  "skopeo copies a multi-layer OCI image in and out unchanged under a nested name",
  ["skopeo"],
  async ({ server, dir }) => {
    const source = await dir("source");
    const image = await multiLayerImage(source);
    const reference = `${server.host}/a/b/c/img:v1`;

    await skopeo([...push, `oci:${source}:v1`, `docker://${reference}`]);

    const served = await inspectRaw(reference);
    assert.equal(sha256(served), image.digest);
    const byDigest = await inspectRaw(
      `${server.host}/a/b/c/img@${image.digest}`,
    );
    assert.deepEqual(byDigest, served);
    const copy = await dir("copy");
    await skopeo([...pull, `docker://${reference}`, `oci:${copy}:v1`]);
    await assertSameLayoutImage(source, copy, "v1");
  },
);

e2eTest(
  "skopeo copy --all round-trips a linux/amd64 + linux/arm64 index",
  ["skopeo"],
  async ({ server, dir }) => {
    const source = await dir("source");
    const { index, amd64, arm64 } = await twoPlatformIndex(source);
    const repository = `${server.host}/multi/arch`;

    await skopeo([
      ...push,
      "--all",
      `oci:${source}:multi`,
      `docker://${repository}:multi`,
    ]);

    const served = await inspectRaw(`${repository}:multi`);
    assert.equal(sha256(served), index.digest);
    const platforms = JSON.parse(new TextDecoder().decode(served)).manifests
      .map((m: { platform: { architecture: string } }) =>
        m.platform.architecture
      );
    assert.deepEqual(platforms, ["amd64", "arm64"]);
    for (const image of [amd64, arm64]) {
      const child = await inspectRaw(`${repository}@${image.digest}`);
      assert.equal(sha256(child), image.digest);
    }
    const copy = await dir("copy");
    await skopeo([
      ...pull,
      "--all",
      `docker://${repository}:multi`,
      `oci:${copy}:multi`,
    ]);
    await assertSameLayoutImage(source, copy, "multi");
  },
);

e2eTest(
  "skopeo copies a Docker schema 2 image in and out unchanged",
  ["skopeo"],
  async ({ server, dir }) => {
    const source = await dir("source");
    await dockerSchema2Image(await dir("oci"), source);
    const manifest = await Deno.readFile(`${source}/manifest.json`);
    const reference = `${server.host}/docker/schema2:v1`;

    await skopeo([
      ...push,
      "--format",
      "v2s2",
      `dir:${source}`,
      `docker://${reference}`,
    ]);

    const served = await inspectRaw(reference);
    assert.equal(sha256(served), sha256(manifest));
    assert.equal(
      JSON.parse(new TextDecoder().decode(served)).mediaType,
      "application/vnd.docker.distribution.manifest.v2+json",
    );
    const copy = await dir("copy");
    await skopeo([
      ...pull,
      "--format",
      "v2s2",
      `docker://${reference}`,
      `dir:${copy}`,
    ]);
    await assertSameDirImage(source, copy);
  },
);

e2eTest(
  "skopeo copies an image into a second repository whose blobs the registry already has",
  ["skopeo"],
  async ({ server, dir }) => {
    const source = await dir("source");
    const image = await multiLayerImage(source);
    await skopeo([
      ...push,
      `oci:${source}:v1`,
      `docker://${server.host}/first/img:v1`,
    ]);

    // skopeo remembers where it pushed each blob and asks the registry to
    // mount those blobs from the first repository instead of uploading.
    const second = `${server.host}/second/img:v1`;
    await skopeo([...push, `oci:${source}:v1`, `docker://${second}`]);

    assert.equal(sha256(await inspectRaw(second)), image.digest);
    const copy = await dir("copy");
    await skopeo([...pull, `docker://${second}`, `oci:${copy}:v1`]);
    await assertSameLayoutImage(source, copy, "v1");
  },
);
