/**
 * Reading what the clients wrote back, to compare it with what the tests
 * pushed. Images come back either as OCI layouts (`oci:<dir>:<tag>`) or
 * as skopeo `dir:` copies (`manifest.json` plus one file per blob). A
 * round trip is faithful when the manifest bytes, and every blob they
 * reach, are byte for byte the same on both sides.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { LayerFiles } from "./_images.ts";
import { layerFiles } from "./_tar.ts";

/** The sha256 digest of bytes, as `sha256:<hex>`. */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Where a blob lives in an OCI layout. */
export function blobPath(layout: string, digest: string): string {
  const [algorithm, hex] = digest.split(":");
  return `${layout}/blobs/${algorithm}/${hex}`;
}

/** The digest `index.json` of a layout gives for `tag`. */
export async function taggedDigest(layout: string, tag: string) {
  const index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
  const entry = index.manifests.find((m: { annotations?: object }) =>
    (m.annotations as Record<string, string> | undefined)?.[
      "org.opencontainers.image.ref.name"
    ] === tag
  );
  assert.ok(entry, `no tag ${tag} in ${layout}/index.json`);
  return entry.digest as string;
}

/** Every digest reachable from a manifest or index: itself, and for an
 * index its manifests, for a manifest its config and layers. */
export function reachable(
  read: (digest: string) => Promise<Uint8Array>,
  root: string,
): Promise<string[]> {
  const found = new Set<string>();
  const visit = async (digest: string) => {
    if (found.has(digest)) return;
    found.add(digest);
    const document = JSON.parse(new TextDecoder().decode(await read(digest)));
    for (const child of document.manifests ?? []) await visit(child.digest);
    if (document.config) found.add(document.config.digest);
    for (const layer of document.layers ?? []) found.add(layer.digest);
  };
  return visit(root).then(() => [...found].sort());
}

/** Asserts that `tag` names the same content in both layouts: the same
 * root digest, and every reachable blob present with identical bytes. */
export async function assertSameLayoutImage(
  expected: string,
  actual: string,
  tag: string,
): Promise<void> {
  const root = await taggedDigest(expected, tag);
  assert.equal(await taggedDigest(actual, tag), root, `digest of ${tag}`);
  const read = (layout: string) => (digest: string) =>
    Deno.readFile(blobPath(layout, digest));
  const digests = await reachable(read(expected), root);
  assert.deepEqual(await reachable(read(actual), root), digests);
  for (const digest of digests) {
    const bytes = await read(actual)(digest);
    assert.equal(sha256(bytes), digest, `blob ${digest} came back changed`);
  }
}

/** Asserts that two skopeo `dir:` copies hold the same manifest bytes and
 * the same bytes for every blob it names. */
export async function assertSameDirImage(
  expected: string,
  actual: string,
): Promise<void> {
  const manifest = await Deno.readFile(`${expected}/manifest.json`);
  const copied = await Deno.readFile(`${actual}/manifest.json`);
  assert.equal(sha256(copied), sha256(manifest), "manifest digest changed");
  const document = JSON.parse(new TextDecoder().decode(manifest));
  const digests: string[] = [
    document.config.digest,
    ...document.layers.map((layer: { digest: string }) => layer.digest),
  ];
  for (const digest of digests) {
    const file = digest.slice("sha256:".length);
    const bytes = await Deno.readFile(`${actual}/${file}`);
    assert.equal(sha256(bytes), digest, `blob ${digest} came back changed`);
  }
}

/** Asserts that the image under `tag` in a layout has exactly the given
 * layers: each layer's regular files with the given contents, and each
 * layer's uncompressed digest equal to its `diff_id` in the config. */
export async function assertLayerFiles(
  layout: string,
  tag: string,
  expected: LayerFiles[],
): Promise<void> {
  const read = async (digest: string) =>
    JSON.parse(await Deno.readTextFile(blobPath(layout, digest)));
  const manifest = await read(await taggedDigest(layout, tag));
  const config = await read(manifest.config.digest);
  assert.equal(manifest.layers.length, expected.length, "number of layers");
  for (const [i, layer] of manifest.layers.entries()) {
    const gzipped = await Deno.readFile(blobPath(layout, layer.digest));
    const { files, diffId } = await layerFiles(gzipped);
    assert.equal(diffId, config.rootfs.diff_ids[i], `diff_id of layer ${i}`);
    const want = Object.entries(expected[i]).map((
      [path, content],
    ) => [path, typeof content === "string" ? content : sha256(content)]);
    const got = [...files].map((
      [path, bytes],
    ) => [
      path,
      typeof expected[i][path] === "string"
        ? new TextDecoder().decode(bytes)
        : sha256(bytes),
    ]);
    assert.deepEqual(got.sort(), want.sort(), `files of layer ${i}`);
  }
}
