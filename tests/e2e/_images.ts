/**
 * Test images, built on the spot without network access: OCI image
 * layouts written file by file (tar layers made by the `tar` program and
 * gzipped here, blobs stored under their sha256, then `index.json` and
 * `oci-layout`). Writing the layout directly, instead of through a tool,
 * lets the tests know every digest in advance and build a multi-platform
 * index, which no image tool here creates from scratch.
 *
 * @module
 */

import { mustRun } from "./_process.ts";
import { sha256 } from "./_layout.ts";

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

/** The files of one layer: path inside the image to content. */
export type LayerFiles = Record<string, string | Uint8Array>;

/** What an image is made of. */
export interface ImageSpec {
  layers: LayerFiles[];
  os?: string;
  architecture?: string;
}

const ociManifest = "application/vnd.oci.image.manifest.v1+json";
const ociIndex = "application/vnd.oci.image.index.v1+json";
const ociConfig = "application/vnd.oci.image.config.v1+json";
const ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
const refName = "org.opencontainers.image.ref.name";

/** Stores bytes as a blob of the layout and returns their digest and size. */
export async function writeBlob(layout: string, bytes: Uint8Array) {
  const digest = sha256(bytes);
  await Deno.mkdir(`${layout}/blobs/sha256`, { recursive: true });
  await Deno.writeFile(`${layout}/blobs/sha256/${digest.slice(7)}`, bytes);
  return { digest, size: bytes.byteLength };
}

/** Adds an image (layers, config, manifest) to the layout's blobs and
 * returns the manifest's descriptor, platform included. */
export async function addImage(
  layout: string,
  spec: ImageSpec,
): Promise<Descriptor> {
  const platform = {
    architecture: spec.architecture ?? "amd64",
    os: spec.os ?? "linux",
  };
  const layers: Descriptor[] = [];
  const diffIds: string[] = [];
  for (const files of spec.layers) {
    const tar = await tarOf(files);
    diffIds.push(sha256(tar));
    const blob = await writeBlob(layout, await gzip(tar));
    layers.push({ mediaType: ociLayerGzip, ...blob });
  }
  const config = {
    created: "2026-01-01T00:00:00Z",
    ...platform,
    config: { Env: ["PATH=/usr/local/bin:/usr/bin:/bin"] },
    rootfs: { type: "layers", diff_ids: diffIds },
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: ociManifest,
    config: { mediaType: ociConfig, ...await writeJson(layout, config) },
    layers,
  };
  const blob = await writeJson(layout, manifest);
  return { mediaType: ociManifest, ...blob, platform };
}

/** Adds an image index over the given manifests and returns its
 * descriptor. */
export async function addIndex(
  layout: string,
  manifests: Descriptor[],
): Promise<Descriptor> {
  const index = { schemaVersion: 2, mediaType: ociIndex, manifests };
  return { mediaType: ociIndex, ...await writeJson(layout, index) };
}

/** Writes `index.json` and `oci-layout`, naming each descriptor by its
 * tag, which is how `oci:<dir>:<tag>` finds an image. */
export async function tagLayout(
  layout: string,
  tags: Record<string, Descriptor>,
): Promise<void> {
  const manifests = Object.entries(tags).map((
    [tag, { platform: _, ...d }],
  ) => ({
    ...d,
    annotations: { [refName]: tag },
  }));
  await Deno.writeTextFile(
    `${layout}/oci-layout`,
    JSON.stringify({ imageLayoutVersion: "1.0.0" }),
  );
  await Deno.writeTextFile(
    `${layout}/index.json`,
    JSON.stringify({ schemaVersion: 2, mediaType: ociIndex, manifests }),
  );
}

function writeJson(layout: string, value: unknown) {
  return writeBlob(layout, new TextEncoder().encode(JSON.stringify(value)));
}

/** A tar of the files, with fixed owners and times so equal files make
 * equal layers. */
async function tarOf(files: LayerFiles): Promise<Uint8Array<ArrayBuffer>> {
  const dir = await Deno.makeTempDir({ prefix: "e2e_layer_" });
  try {
    for (const [path, content] of Object.entries(files)) {
      const target = `${dir}/${path}`;
      await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), {
        recursive: true,
      });
      await (typeof content === "string"
        ? Deno.writeTextFile(target, content)
        : Deno.writeFile(target, content));
    }
    return await mustRun("tar", [
      "--sort=name",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "-C",
      dir,
      "-cf",
      "-",
      ...Object.keys(files),
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function gzip(
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Bytes that do not compress, in the amount asked for. */
export function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  // getRandomValues fills at most 64 KiB per call.
  for (let offset = 0; offset < size; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, offset + 65536));
  }
  return bytes;
}
