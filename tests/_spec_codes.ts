/**
 * The error codes a 4xx body may carry: those of the OCI Distribution
 * Specification, plus the legacy TAG_INVALID it says clients may meet.
 * Written out here, not taken from the source, so tests check the
 * registry against the specification rather than against itself.
 *
 * @module
 */

/** The codes of the specification's error table, and TAG_INVALID. */
export const specCodes: ReadonlySet<string> = new Set([
  "BLOB_UNKNOWN",
  "BLOB_UPLOAD_INVALID",
  "BLOB_UPLOAD_UNKNOWN",
  "DIGEST_INVALID",
  "MANIFEST_BLOB_UNKNOWN",
  "MANIFEST_INVALID",
  "MANIFEST_UNKNOWN",
  "NAME_INVALID",
  "NAME_UNKNOWN",
  "SIZE_INVALID",
  "UNAUTHORIZED",
  "DENIED",
  "UNSUPPORTED",
  "TOOMANYREQUESTS",
  "TAG_INVALID",
]);
