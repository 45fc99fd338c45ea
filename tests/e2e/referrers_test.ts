/**
 * A signature next to a multi-platform image, the way signing tools store
 * one with the OCI referrers API: an artifact manifest whose `subject` is
 * the image index, pushed over plain HTTP. The registry must list it as a
 * referrer of the index (filtered by artifact type on request), forget it
 * once it is deleted, and all the while serve the index to skopeo with
 * unchanged digests.
 *
 * The Go reference registry of this suite (2.8) predates the referrers
 * API, so against it the test is skipped.
 *
 * @module
 */

import assert from "node:assert/strict";
import { inspectRaw, skopeo } from "./_clients.ts";
import { twoPlatformIndex } from "./_fixtures.ts";
import { e2eTest } from "./_harness.ts";
import { assertSameLayoutImage, sha256 } from "./_layout.ts";
import { serverKind } from "./_server.ts";

const push = ["copy", "--all", "--preserve-digests", "--dest-tls-verify=false"];
const pull = ["copy", "--all", "--preserve-digests", "--src-tls-verify=false"];
const copyAcross = [
  "copy",
  "--all",
  "--preserve-digests",
  "--src-tls-verify=false",
  "--dest-tls-verify=false",
];

const types = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  empty: "application/vnd.oci.empty.v1+json",
  signature: "application/vnd.dev.cosign.artifact.sig.v1+json",
  payload: "application/vnd.dev.cosign.simplesigning.v1+json",
};

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
}

/** Pushes a blob in one `POST ?digest=` and returns its digest and size. */
async function pushBlob(base: string, bytes: Uint8Array<ArrayBuffer>) {
  const digest = sha256(bytes);
  const response = await fetch(`${base}/blobs/uploads/?digest=${digest}`, {
    method: "POST",
    body: bytes,
    headers: { "Content-Type": "application/octet-stream" },
  });
  await response.body?.cancel();
  assert.equal(response.status, 201, `pushing blob ${digest}`);
  return { digest, size: bytes.byteLength };
}

/** The referrers of `digest`, optionally filtered by artifact type. */
async function referrers(
  base: string,
  digest: string,
  artifactType?: string,
): Promise<{ filtered: string | null; manifests: Descriptor[] }> {
  const query = artifactType
    ? `?artifactType=${encodeURIComponent(artifactType)}`
    : "";
  const response = await fetch(`${base}/referrers/${digest}${query}`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("Content-Type") ?? "", /image\.index/);
  const index = await response.json();
  assert.equal(index.mediaType, types.index);
  return {
    filtered: response.headers.get("OCI-Filters-Applied"),
    manifests: index.manifests,
  };
}

function referrersTest() {
  e2eTest(
    "a signature pushed with a subject is listed as a referrer of a skopeo-pushed index, and goes when deleted",
    ["skopeo"],
    async ({ server, dir }) => {
      const source = await dir("source");
      const { index } = await twoPlatformIndex(source);
      const repository = `${server.host}/signed/app`;
      const base = `http://${server.host}/v2/signed/app`;
      await skopeo([
        ...push,
        `oci:${source}:multi`,
        `docker://${repository}:multi`,
      ]);

      // A signature as cosign stores one: the empty config, one layer with
      // the signed payload, and the index as its subject.
      const emptyConfig = await pushBlob(base, new TextEncoder().encode("{}"));
      assert.equal(emptyConfig.size, 2);
      const payload = await pushBlob(
        base,
        new TextEncoder().encode(JSON.stringify({
          critical: {
            image: { "docker-manifest-digest": index.digest },
            type: "cosign container image signature",
          },
        })),
      );
      const signature = new TextEncoder().encode(JSON.stringify({
        schemaVersion: 2,
        mediaType: types.manifest,
        artifactType: types.signature,
        config: { mediaType: types.empty, ...emptyConfig },
        layers: [{
          mediaType: types.payload,
          ...payload,
          annotations: { "dev.cosignproject.cosign/signature": "MEUCIQ==" },
        }],
        subject: {
          mediaType: types.index,
          digest: index.digest,
          size: index.size,
        },
      }));
      const signatureDigest = sha256(signature);
      const put = await fetch(`${base}/manifests/${signatureDigest}`, {
        method: "PUT",
        body: signature,
        headers: { "Content-Type": types.manifest },
      });
      await put.body?.cancel();
      assert.equal(put.status, 201);
      assert.equal(put.headers.get("OCI-Subject"), index.digest);
      assert.equal(put.headers.get("Docker-Content-Digest"), signatureDigest);

      const listed = await referrers(base, index.digest);
      assert.deepEqual(
        listed.manifests.map(({ mediaType, digest, size, artifactType }) => ({
          mediaType,
          digest,
          size,
          artifactType,
        })),
        [{
          mediaType: types.manifest,
          digest: signatureDigest,
          size: signature.byteLength,
          artifactType: types.signature,
        }],
      );
      const matching = await referrers(base, index.digest, types.signature);
      assert.equal(matching.filtered, "artifactType");
      assert.deepEqual(
        matching.manifests.map((m) => m.digest),
        [signatureDigest],
      );
      const other = await referrers(
        base,
        index.digest,
        "application/vnd.example.sbom.v1+json",
      );
      assert.equal(other.filtered, "artifactType");
      assert.deepEqual(other.manifests, []);

      // The referrer changes nothing about the index itself: skopeo copies
      // it to another repository and back out with identical digests.
      await skopeo([
        ...copyAcross,
        `docker://${repository}:multi`,
        `docker://${server.host}/mirror/app:multi`,
      ]);
      assert.equal(
        sha256(await inspectRaw(`${server.host}/mirror/app:multi`)),
        index.digest,
      );
      const mirrored = await dir("mirrored");
      await skopeo([
        ...pull,
        `docker://${server.host}/mirror/app:multi`,
        `oci:${mirrored}:multi`,
      ]);
      await assertSameLayoutImage(source, mirrored, "multi");

      const deleted = await fetch(`${base}/manifests/${signatureDigest}`, {
        method: "DELETE",
      });
      await deleted.body?.cancel();
      assert.equal(deleted.status, 202);
      assert.deepEqual((await referrers(base, index.digest)).manifests, []);

      const after = await dir("after");
      await skopeo([
        ...pull,
        `docker://${repository}:multi`,
        `oci:${after}:multi`,
      ]);
      await assertSameLayoutImage(source, after, "multi");
    },
  );
}

if (serverKind() === "reference") {
  console.log(
    "skipping the referrers test: the reference registry has no referrers API",
  );
  Deno.test({ name: "referrers [reference]", ignore: true, fn: () => {} });
} else {
  referrersTest();
}
