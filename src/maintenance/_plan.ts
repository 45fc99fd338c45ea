/**
 * Turns a repository's mark into what collection would remove from it:
 * manifest records not kept, layer links no kept manifest refers to, and
 * referrers index entries whose manifest record will be gone; each only
 * when older than the grace period. It also says which blobs the
 * repository still needs afterwards, which decides what of the shared
 * `blobs/` may go.
 *
 * @module
 */

import type { Storage } from "../storage/types.ts";
import type { LinkEntry, RecordEntry, RepositoryMark } from "./_mark.ts";
import { eachLimited } from "./_pool.ts";
import {
  listReferrerEntries,
  type ReferrerIndexEntry,
  type Warn,
} from "./_walk.ts";

/** A referrers index entry planned for removal. */
export interface StaleReferrer extends ReferrerIndexEntry {
  size: number;
}

/** What collection removes from one repository. */
export interface RepositoryPlan {
  mark: RepositoryMark;
  records: RecordEntry[];
  links: LinkEntry[];
  referrers: StaleReferrer[];
  /** Digests of blobs the repository needs once the plan is carried out:
   * its surviving manifests, what they refer to, its surviving links. */
  needs: Set<string>;
}

/** Plans the removals from a marked repository. */
export async function planRepository(
  storage: Storage,
  mark: RepositoryMark,
  cutoff: number,
  warn: Warn,
): Promise<RepositoryPlan> {
  const plan: RepositoryPlan = {
    mark,
    records: [],
    links: [],
    referrers: [],
    needs: new Set(mark.referenced),
  };
  const old = (modified: Date) => modified.getTime() <= cutoff;

  if (mark.certain) {
    // Every record outside `kept` is old: young records are roots.
    plan.records = [...mark.records.values()].filter((record) =>
      !mark.kept.has(record.digest.value)
    );
    plan.links = [...mark.links.values()].filter((link) =>
      !mark.referenced.has(link.digest.value) && old(link.modified)
    );
  }
  const removedRecords = new Set(plan.records.map((r) => r.digest.value));
  const removedLinks = new Set(plan.links.map((l) => l.digest.value));
  for (const digest of mark.records.keys()) {
    if (!removedRecords.has(digest)) plan.needs.add(digest);
  }
  for (const digest of mark.links.keys()) {
    if (!removedLinks.has(digest)) plan.needs.add(digest);
  }

  if (mark.certain) {
    const entries = await listReferrerEntries(storage, mark.repository, warn);
    const stale = entries.filter(({ referrer }) =>
      !mark.records.has(referrer.value) || removedRecords.has(referrer.value)
    );
    await eachLimited(stale, 8, async (entry) => {
      const info = await storage.stat(entry.key);
      if (info && old(info.modified)) {
        plan.referrers.push({ ...entry, size: info.size });
      }
    });
  }
  // Listings come back in completion order; a report reads better, and
  // compares, in key order.
  for (const list of [plan.records, plan.links, plan.referrers]) {
    list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  return plan;
}
