/**
 * The layout of the registry's state in storage. Every key is built here
 * from names that `src/protocol/names.ts` has already validated.
 *
 * - `blobs/<alg>/<hh>/<hex>`: the bytes of every blob and manifest, shared
 *   by all repositories (content-addressed, so written once).
 * - `repositories/<name>/_layers/<alg>/<hex>`: the blob belongs to the
 *   repository (what `GET`, mount and garbage collection go by).
 * - `repositories/<name>/_manifests/revisions/<alg>/<hex>`: the manifest
 *   belongs to the repository; holds its media type and references.
 * - `repositories/<name>/_manifests/tags/<tag>`: holds a manifest digest.
 * - `repositories/<name>/_referrers/<alg>/<hex>/<alg>-<hex>`: an index of
 *   manifests whose `subject` is the first digest.
 * - `uploads/<id>.data`, `uploads/<id>.sealed` and `uploads/<id>.info`:
 *   upload sessions, side by side in one directory so that starting one
 *   creates no directory a file storage would have to sync.
 * - `quarantine/<alg>/<hex>`: blobs verification found corrupt.
 *
 * Repository name components never start with `_`, so the `_` directories
 * cannot collide with a nested repository's name.
 *
 * @module
 */

import type { Digest } from "../protocol/names.ts";

/** Where a blob's bytes live. */
export function blobKey(digest: Digest): string {
  return `blobs/${digest.algorithm}/${digest.hex.slice(0, 2)}/${digest.hex}`;
}

/** The prefix of everything a repository holds. */
export function repositoryPrefix(repository: string): string {
  return `repositories/${repository}/`;
}

/** Marks a blob as part of a repository. */
export function layerLinkKey(repository: string, digest: Digest): string {
  return `repositories/${repository}/_layers/${digest.algorithm}/${digest.hex}`;
}

/** The prefix under which a repository's layer links live. */
export function layersPrefix(repository: string): string {
  return `repositories/${repository}/_layers/`;
}

/** A manifest's record in a repository. */
export function revisionKey(repository: string, digest: Digest): string {
  return `repositories/${repository}/_manifests/revisions/${digest.algorithm}/${digest.hex}`;
}

/** The prefix under which a repository's manifest records live. */
export function revisionsPrefix(repository: string): string {
  return `repositories/${repository}/_manifests/revisions/`;
}

/** A tag of a repository. */
export function tagKey(repository: string, tag: string): string {
  return `repositories/${repository}/_manifests/tags/${tag}`;
}

/** The prefix listing a repository's tags. */
export function tagsPrefix(repository: string): string {
  return `repositories/${repository}/_manifests/tags/`;
}

/** The prefix listing the referrers of `subject`. */
export function referrersPrefix(repository: string, subject: Digest): string {
  return `${referrersRoot(repository)}${subject.algorithm}/${subject.hex}/`;
}

/** The prefix of a repository's whole referrers index. */
export function referrersRoot(repository: string): string {
  return `repositories/${repository}/_referrers/`;
}

/** One referrer of `subject`. */
export function referrerKey(
  repository: string,
  subject: Digest,
  referrer: Digest,
): string {
  return `${
    referrersPrefix(repository, subject)
  }${referrer.algorithm}-${referrer.hex}`;
}

/** The prefix below which every upload session's objects live. */
export const UPLOADS_PREFIX = "uploads/";

/** An upload session's bytes received so far. */
export function uploadDataKey(id: string): string {
  return `${UPLOADS_PREFIX}${id}.data`;
}

/** An upload session's bytes once sealed for completion: no chunk can
 * be appended to them any more. */
export function uploadSealedKey(id: string): string {
  return `${UPLOADS_PREFIX}${id}.sealed`;
}

/** An upload session's record: repository and start time. */
export function uploadInfoKey(id: string): string {
  return `${UPLOADS_PREFIX}${id}.info`;
}

/** Every key an upload session may hold. */
export function uploadKeys(id: string): string[] {
  return [uploadInfoKey(id), uploadDataKey(id), uploadSealedKey(id)];
}

/** The session id an object name below {@linkcode UPLOADS_PREFIX} belongs
 * to, or `undefined` for a name that is not a session's. */
export function uploadIdOf(name: string): string | undefined {
  const match = /^(.+)\.(?:info|data|sealed)$/.exec(name);
  return match?.[1];
}

/** Where verification moves a corrupt blob, out of the registry's sight. */
export function quarantineKey(digest: Digest): string {
  return `quarantine/${digest.algorithm}/${digest.hex}`;
}
