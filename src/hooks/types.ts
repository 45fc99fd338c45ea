/**
 * Hooks: callbacks an embedding app passes to learn of changes to the
 * store. They run after the change is durable; a hook that throws or
 * rejects is logged and never fails the request that triggered it.
 *
 * @module
 */

import type { Awaitable } from "../auth/types.ts";

/** A manifest was stored under a tag or digest. */
export interface ManifestPushedEvent {
  /** Repository name. */
  repository: string;
  /** The tag or digest the manifest was pushed to. */
  reference: string;
  /** The manifest's digest. */
  digest: string;
  /** The manifest's media type. */
  mediaType: string;
  /** Size in bytes. */
  size: number;
}

/** A blob upload completed. */
export interface BlobPushedEvent {
  /** Repository name. */
  repository: string;
  /** The blob's digest. */
  digest: string;
  /** Size in bytes. */
  size: number;
}

/** A manifest, tag or blob was deleted. */
export interface DeletedEvent {
  /** Repository name. */
  repository: string;
  /** What was deleted. */
  kind: "manifest" | "tag" | "blob";
  /** The tag or digest deleted. */
  reference: string;
}

/**
 * Callbacks for changes to the store.
 *
 * @example Print every pushed manifest
 * ```ts
 * import type { Hooks } from "../../mod.ts";
 *
 * const hooks: Hooks = {
 *   onManifestPushed: (e) => console.log(e.repository, e.reference, e.digest),
 * };
 * ```
 */
export interface Hooks {
  /** After a manifest push is durable. */
  onManifestPushed?(event: ManifestPushedEvent): Awaitable<void>;
  /** After a blob upload (or cross-repository mount) is durable. */
  onBlobPushed?(event: BlobPushedEvent): Awaitable<void>;
  /** After a manifest, tag or blob is deleted. */
  onDeleted?(event: DeletedEvent): Awaitable<void>;
}
