/**
 * Tags through skopeo: `list-tags` shows every tag pushed, and
 * `skopeo delete` (which deletes the manifest the tag points to, by
 * digest) makes the tag unpullable while other manifests stay.
 *
 * @module
 */

import assert from "node:assert/strict";
import { inspectRaw, listTags, skopeo } from "./_clients.ts";
import { twoImages } from "./_fixtures.ts";
import { e2eTest } from "./_harness.ts";
import { mustFail } from "./_process.ts";
import { sha256 } from "./_layout.ts";

const push = ["copy", "--preserve-digests", "--dest-tls-verify=false"];

e2eTest(
  "skopeo list-tags shows each pushed tag, and delete makes a tag unpullable",
  ["skopeo"],
  async ({ server, dir }) => {
    const source = await dir("source");
    const { v1, v2 } = await twoImages(source);
    const repository = `${server.host}/tags/repo`;
    for (const [from, to] of [["v1", "v1"], ["v1", "latest"], ["v2", "v2"]]) {
      await skopeo([
        ...push,
        `oci:${source}:${from}`,
        `docker://${repository}:${to}`,
      ]);
    }
    assert.deepEqual(await listTags(repository), ["latest", "v1", "v2"]);

    await skopeo(["delete", "--tls-verify=false", `docker://${repository}:v2`]);

    const gone = await mustFail("skopeo", [
      "inspect",
      "--raw",
      "--tls-verify=false",
      `docker://${repository}:v2`,
    ]);
    assert.match(gone.stderr, /manifest unknown/i, gone.stderr);
    const byDigest = await mustFail("skopeo", [
      "inspect",
      "--raw",
      "--tls-verify=false",
      `docker://${repository}@${v2.digest}`,
    ]);
    assert.match(byDigest.stderr, /manifest unknown/i, byDigest.stderr);
    const pullGone = await mustFail("skopeo", [
      "--insecure-policy",
      "copy",
      "--src-tls-verify=false",
      `docker://${repository}:v2`,
      `oci:${await dir("gone")}:v2`,
    ]);
    assert.match(pullGone.stderr, /manifest unknown/i, pullGone.stderr);

    assert.equal(sha256(await inspectRaw(`${repository}:v1`)), v1.digest);
    assert.equal(sha256(await inspectRaw(`${repository}:latest`)), v1.digest);
    assert.deepEqual(await listTags(repository), ["latest", "v1"]);
  },
);

e2eTest(
  "skopeo list-tags fails on a repository that was never pushed",
  ["skopeo"],
  async ({ server }) => {
    const result = await mustFail("skopeo", [
      "list-tags",
      "--tls-verify=false",
      `docker://${server.host}/never/pushed`,
    ]);
    // skopeo 1.9 reports the status code, later versions the error code.
    assert.match(result.stderr, /404|name unknown/i, result.stderr);
  },
);
