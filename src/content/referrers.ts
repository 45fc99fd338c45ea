/**
 * The referrers index: for each subject digest, a descriptor of every
 * manifest in the repository that names it as `subject`. Entries are
 * written when such a manifest is pushed and removed when it is deleted,
 * so answering the referrers API is a listing, not a scan.
 *
 * @module
 */

import type { ParsedManifest } from "../protocol/manifest.ts";
import type { Digest } from "../protocol/names.ts";
import type { Storage } from "../storage/types.ts";
import { referrersPrefix } from "./keys.ts";

/** A descriptor in a referrers list. */
export interface ReferrerEntry {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** The index entry for a manifest that refers to a subject. */
export function referrerEntry(
  digest: Digest,
  size: number,
  parsed: ParsedManifest,
): ReferrerEntry {
  return {
    mediaType: parsed.mediaType,
    digest: digest.value,
    size,
    ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}),
    ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
  };
}

/** The referrers of `subject`, optionally of one artifact type only,
 * sorted by digest so that a page boundary is a stable position. */
export async function listReferrers(
  storage: Storage,
  repository: string,
  subject: Digest,
  artifactType?: string,
): Promise<ReferrerEntry[]> {
  const prefix = referrersPrefix(repository, subject);
  const entries = await storage.list(prefix);
  const decoder = new TextDecoder();
  const referrers = await Promise.all(
    entries.filter((e) => !e.prefix).map(async (e) => {
      const bytes = await storage.readBytes(prefix + e.name);
      return bytes && JSON.parse(decoder.decode(bytes)) as ReferrerEntry;
    }),
  );
  return referrers
    .filter((r): r is ReferrerEntry =>
      r !== undefined &&
      (artifactType === undefined || r.artifactType === artifactType)
    )
    .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
}
