/**
 * The sweep phase of garbage collection, which runs while the registry
 * keeps serving. Pushes may add records, links and tags at any moment, so
 * nothing is removed on the strength of the first mark alone: each
 * repository is marked again just before it is swept, only what both
 * marks agree on goes, and every object is checked once more for age
 * right before it is removed. A repository in which a record turns out to
 * have been pushed again keeps everything else for the next run. A shared
 * blob goes only if, at that moment, no repository links it or holds a
 * record of it and it is still old.
 *
 * @module
 */

import { blobKey, layerLinkKey, revisionKey } from "../content/keys.ts";
import { listRepositories } from "../content/tags.ts";
import type { Storage } from "../storage/types.ts";
import { markRepository, type MarkSettings } from "./_mark.ts";
import { eachLimited } from "./_pool.ts";
import { planRepository, type RepositoryPlan } from "./_plan.ts";
import type { ReferenceReader } from "./_references.ts";
import type { DigestObject } from "./_walk.ts";

/** One object garbage collection removed, or would remove in a dry run. */
export interface GcItem {
  /** What the object is: a shared blob's bytes, a repository's manifest
   * record, layer link or referrers index entry, or an upload session. */
  kind: "blob" | "manifest" | "link" | "referrer" | "upload";
  /** Its storage key; for an upload session, the session's prefix. */
  key: string;
  /** The repository it belonged to, for repository objects. */
  repository?: string;
  /** The digest it stands for; absent for upload sessions. */
  digest?: string;
  /** Bytes it took up in storage. */
  size: number;
}

/** What a sweep works with. */
export interface Sweeper {
  storage: Storage;
  settings: MarkSettings;
  reader: ReferenceReader;
  removed(item: GcItem): void;
}

/** A shared blob planned for removal. */
export interface GarbageBlob extends DigestObject {
  size: number;
}

/**
 * Sweeps one repository against a fresh mark and resolves to the digests
 * of the blobs it still needs.
 */
export async function sweepRepository(
  sweeper: Sweeper,
  plan: RepositoryPlan,
): Promise<Set<string>> {
  const { storage, settings } = sweeper;
  const repository = plan.mark.repository;
  const nothingPlanned = plan.records.length === 0 &&
    plan.links.length === 0 && plan.referrers.length === 0;
  if (nothingPlanned) return plan.needs;

  const mark = await markRepository(
    storage,
    repository,
    settings,
    sweeper.reader,
  );
  const fresh = await planRepository(storage, mark, settings.cutoff, () => {});
  const agreed = <T extends { key: string }>(first: T[], second: T[]) => {
    const keys = new Set(first.map((item) => item.key));
    return second.filter((item) => keys.has(item.key));
  };
  const isOld = async (key: string) => {
    const info = await storage.stat(key);
    return info !== undefined && info.modified.getTime() <= settings.cutoff;
  };

  const referrers = agreed(plan.referrers, fresh.referrers);
  const removeReferrer = async (entry: (typeof referrers)[number]) => {
    if (await storage.delete(entry.key)) {
      sweeper.removed({
        kind: "referrer",
        key: entry.key,
        repository,
        digest: entry.referrer.value,
        size: entry.size,
      });
    }
  };

  for (const record of agreed(plan.records, fresh.records)) {
    if (!(await isOld(record.key))) {
      // Pushed again since the mark: whatever it needs must stay, and the
      // marks cannot say what that is, so the rest waits for the next run.
      for (const digest of mark.records.keys()) fresh.needs.add(digest);
      for (const digest of mark.links.keys()) fresh.needs.add(digest);
      return fresh.needs;
    }
    // The index entry goes first: an entry left without its record would
    // list a manifest that cannot be fetched.
    for (const entry of referrers) {
      if (entry.referrer.value === record.digest.value) {
        await removeReferrer(entry);
      }
    }
    if (await storage.delete(record.key)) {
      sweeper.removed({
        kind: "manifest",
        key: record.key,
        repository,
        digest: record.digest.value,
        size: record.size,
      });
    }
  }

  for (const entry of referrers) {
    const recordGone = !(await storage.stat(
      revisionKey(repository, entry.referrer),
    ));
    if (recordGone && (await isOld(entry.key))) await removeReferrer(entry);
  }

  for (const link of agreed(plan.links, fresh.links)) {
    if (!(await isOld(link.key))) {
      fresh.needs.add(link.digest.value);
      continue;
    }
    if (await storage.delete(link.key)) {
      sweeper.removed({
        kind: "link",
        key: link.key,
        repository,
        digest: link.digest.value,
        size: 0,
      });
    }
  }
  return fresh.needs;
}

/**
 * Removes the shared blobs no repository needs, checking each right
 * before it goes: not needed by a sweep, not linked or recorded by any
 * repository (including ones created during the run), and still old.
 */
export async function sweepBlobs(
  sweeper: Sweeper,
  garbage: GarbageBlob[],
  needed: Set<string>,
  progress: (done: number) => void,
): Promise<void> {
  const { storage, settings } = sweeper;
  const repositories = await listRepositories(storage);
  for (const [index, blob] of garbage.entries()) {
    progress(index);
    if (needed.has(blob.digest.value)) continue;
    if (await heldByAny(storage, repositories, blob)) continue;
    const key = blobKey(blob.digest);
    const info = await storage.stat(key);
    if (!info || info.modified.getTime() > settings.cutoff) continue;
    if (await storage.delete(key)) {
      sweeper.removed({
        kind: "blob",
        key,
        digest: blob.digest.value,
        size: info.size,
      });
    }
  }
  progress(garbage.length);
}

async function heldByAny(
  storage: Storage,
  repositories: string[],
  blob: GarbageBlob,
): Promise<boolean> {
  let held = false;
  await eachLimited(repositories, 16, async (repository) => {
    if (held) return;
    const [link, record] = await Promise.all([
      storage.stat(layerLinkKey(repository, blob.digest)),
      storage.stat(revisionKey(repository, blob.digest)),
    ]);
    if (link || record) held = true;
  });
  return held;
}
