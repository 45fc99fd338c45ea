/**
 * The manifest media types the registry understands. Manifests of other
 * types are stored as given, without reference checks.
 *
 * @module
 */

/** OCI image manifest. */
export const ociManifest = "application/vnd.oci.image.manifest.v1+json";
/** OCI image index. */
export const ociIndex = "application/vnd.oci.image.index.v1+json";
/** Docker image manifest, schema 2. */
export const dockerManifest =
  "application/vnd.docker.distribution.manifest.v2+json";
/** Docker manifest list. */
export const dockerManifestList =
  "application/vnd.docker.distribution.manifest.list.v2+json";

/** Media types whose layers hold image content. */
export const imageManifestTypes: ReadonlySet<string> = new Set([
  ociManifest,
  dockerManifest,
]);

/** Media types that list other manifests. */
export const indexTypes: ReadonlySet<string> = new Set([
  ociIndex,
  dockerManifestList,
]);

/**
 * Whether a layer may be absent from the registry: non-distributable
 * ("foreign") layers, and layers that name where to fetch them.
 */
export function isForeignLayer(mediaType: string, urls: unknown): boolean {
  return mediaType.includes(".nondistributable.") ||
    mediaType.includes(".foreign.") ||
    (Array.isArray(urls) && urls.length > 0);
}
