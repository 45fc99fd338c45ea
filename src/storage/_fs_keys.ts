/**
 * Checks storage keys before {@linkcode FileStorage} turns them into file
 * paths. The registry validates every repository name, tag and digest
 * before building a key, so a bad key here means a bug; refusing it keeps
 * such a bug from reading or writing outside the storage root.
 *
 * @module
 */

/** Names of in-progress writes start with this; they are never keys. */
export const TEMP_PREFIX = ".tmp-";

/**
 * Splits `key` into its path segments, or throws when a segment is empty,
 * `.` or `..`, holds a backslash or NUL, or could be a temporary file.
 */
export function keySegments(key: string): string[] {
  const segments = key.split("/");
  for (const segment of segments) {
    const reason = segmentProblem(segment);
    if (reason) {
      throw new Error(`invalid storage key ${JSON.stringify(key)}: ${reason}`);
    }
  }
  return segments;
}

/**
 * Splits `prefix` (empty, or ending with `/`) into its path segments, or
 * throws as {@linkcode keySegments} does.
 */
export function prefixSegments(prefix: string): string[] {
  if (prefix === "") return [];
  if (!prefix.endsWith("/")) {
    throw new Error(
      `invalid storage prefix ${JSON.stringify(prefix)}: must end with '/'`,
    );
  }
  return keySegments(prefix.slice(0, -1));
}

function segmentProblem(segment: string): string | undefined {
  if (segment === "") return "empty segment";
  if (segment === "." || segment === "..") return `'${segment}' segment`;
  if (segment.includes("\\")) return "backslash";
  if (segment.includes("\0")) return "NUL character";
  if (segment.startsWith(TEMP_PREFIX)) return `segment starts '${TEMP_PREFIX}'`;
  return undefined;
}
