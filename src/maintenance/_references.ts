/**
 * What a stored manifest refers to: its config and layers, and the
 * manifests an index lists. Manifests are read from `blobs/` and parsed
 * with the same parser a push goes through, under the media type their
 * record holds, so the maintenance tools follow exactly the references a
 * push checked. Manifest bytes never change under their digest, so the
 * answer is remembered for the whole walk.
 *
 * @module
 */

import { blobKey } from "../content/keys.ts";
import { parseManifest } from "../protocol/manifest.ts";
import type { Digest } from "../protocol/names.ts";
import type { Storage } from "../storage/types.ts";

/** A blob a manifest refers to. */
export interface BlobReference {
  digest: Digest;
  /** A non-distributable layer, which the registry need not hold. */
  foreign: boolean;
}

/** The digests a manifest refers to. */
export interface ManifestReferences {
  /** Config and layers. */
  blobs: BlobReference[];
  /** Manifests an index lists. */
  manifests: Digest[];
}

/** Why a manifest's references could not be read. */
export type Unreadable = "missing" | "malformed";

/** Reads and remembers the references of manifests. */
export class ReferenceReader {
  #known = new Map<string, ManifestReferences | Unreadable>();
  #storage: Storage;

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** The references of the manifest `digest` stored as `mediaType`. */
  async read(
    digest: Digest,
    mediaType: string,
  ): Promise<ManifestReferences | Unreadable> {
    const id = `${digest.value} ${mediaType}`;
    const known = this.#known.get(id);
    if (known) return known;

    const bytes = await this.#storage.readBytes(blobKey(digest));
    // Absent bytes are not remembered: a push may be writing them now.
    if (!bytes) return "missing";
    let references: ManifestReferences | Unreadable;
    try {
      const parsed = parseManifest(bytes, mediaType);
      references = {
        blobs: parsed.blobs.map(({ digest, foreign }) => ({ digest, foreign })),
        manifests: parsed.manifests.map((child) => child.digest),
      };
    } catch {
      references = "malformed";
    }
    this.#known.set(id, references);
    return references;
  }
}
