/**
 * buildah against the registry: an image built from scratch with one
 * copied file is committed and pushed, in OCI and in Docker format, and
 * skopeo pulls it back to check the file is in the layer.
 *
 * @module
 */

import assert from "node:assert/strict";
import { buildah, inspectRaw, skopeo } from "./_clients.ts";
import { e2eTest } from "./_harness.ts";
import { assertLayerFiles, sha256 } from "./_layout.ts";

const content = "built by buildah from scratch\n";

const formats = [
  ["oci", "application/vnd.oci.image.manifest.v1+json"],
  ["docker", "application/vnd.docker.distribution.manifest.v2+json"],
] as const;

for (const [format, mediaType] of formats) {
  e2eTest(
    `buildah pushes a scratch image in ${format} format that skopeo pulls back`,
    ["skopeo", "buildah"],
    async ({ server, dir }) => {
      const work = await dir("buildah");
      const tool = await buildah(work);
      await Deno.writeTextFile(`${work}/hello.txt`, content);
      const container = await tool.text(["from", "scratch"]);
      await tool.run(["copy", container, `${work}/hello.txt`, "/hello.txt"]);
      await tool.run(["config", "--os", "linux", "--arch", "amd64", container]);
      await tool.run(["commit", "--format", format, container, "built:1"]);
      const pushed = `${server.host}/buildah/built:${format}`;

      await tool.run([
        "push",
        "--tls-verify=false",
        "--format",
        format,
        "--digestfile",
        `${work}/digest`,
        "built:1",
        `docker://${pushed}`,
      ]);

      const served = await inspectRaw(pushed);
      const reported = (await Deno.readTextFile(`${work}/digest`)).trim();
      assert.equal(sha256(served), reported);
      assert.equal(
        JSON.parse(new TextDecoder().decode(served)).mediaType,
        mediaType,
      );
      const copy = await dir("copy");
      await skopeo([
        "copy",
        "--src-tls-verify=false",
        `docker://${pushed}`,
        `oci:${copy}:${format}`,
      ]);
      await assertLayerFiles(copy, format, [{ "hello.txt": content }]);
    },
  );
}
