/**
 * The images the end-to-end tests push: a small image of several layers,
 * an index over a linux/amd64 and a linux/arm64 image, an image with one
 * large layer of random bytes, and a Docker schema 2 conversion of the
 * small image. All are a few KiB except the large one, so the suite stays
 * quick while the large one still makes clients upload in chunks.
 *
 * @module
 */

import { skopeo } from "./_clients.ts";
import {
  addImage,
  addIndex,
  type Descriptor,
  type LayerFiles,
  randomBytes,
  tagLayout,
} from "./_images.ts";

/** The files of the multi-layer image, one record per layer. */
export const multiLayerFiles: LayerFiles[] = [
  { "etc/os-release": 'NAME="e2e"\nID=e2e\n' },
  { "app/greeting.txt": "hello from the second layer\n" },
  { "app/data/numbers.txt": "1 2 3 5 8 13 21\n", "app/README": "layer 3\n" },
];

/** Writes an OCI layout at `layout` holding the multi-layer image under
 * tag `v1`, and returns its manifest descriptor. */
export async function multiLayerImage(layout: string): Promise<Descriptor> {
  const image = await addImage(layout, { layers: multiLayerFiles });
  await tagLayout(layout, { v1: image });
  return image;
}

/** Writes an OCI layout holding two images under `v1` and `v2` (distinct
 * content), for tests that need more than one manifest in a repository. */
export async function twoImages(layout: string) {
  const v1 = await addImage(layout, { layers: multiLayerFiles });
  const v2 = await addImage(layout, {
    layers: [{ "app/version.txt": "2\n" }],
  });
  await tagLayout(layout, { v1, v2 });
  return { v1, v2 };
}

/** Writes an OCI layout holding, under tag `multi`, an index of a
 * linux/amd64 and a linux/arm64 image, and returns the index descriptor
 * with the two image descriptors. */
export async function twoPlatformIndex(layout: string) {
  const base = { "etc/os-release": 'NAME="e2e"\n' };
  const amd64 = await addImage(layout, {
    architecture: "amd64",
    layers: [base, { "bin/arch.txt": "amd64\n" }],
  });
  const arm64 = await addImage(layout, {
    architecture: "arm64",
    layers: [base, { "bin/arch.txt": "arm64\n" }],
  });
  const index = await addIndex(layout, [amd64, arm64]);
  await tagLayout(layout, { multi: index });
  return { index, amd64, arm64 };
}

/** Writes an OCI layout holding, under tag `big`, an image whose one
 * layer carries `size` random bytes. */
export async function largeImage(
  layout: string,
  size = 20 * 1024 * 1024,
): Promise<Descriptor> {
  const image = await addImage(layout, {
    layers: [{ "data/random.bin": randomBytes(size) }],
  });
  await tagLayout(layout, { big: image });
  return image;
}

/** Writes, at `dir`, a skopeo `dir:` copy of the multi-layer image
 * converted to Docker schema 2, built from an OCI layout at `layout`. */
export async function dockerSchema2Image(
  layout: string,
  dir: string,
): Promise<void> {
  await multiLayerImage(layout);
  await skopeo(["copy", "--format", "v2s2", `oci:${layout}:v1`, `dir:${dir}`]);
}
