/**
 * Garbage collection: removes what no repository needs any more, while
 * the registry keeps serving. Blobs are shared and content-addressed, and
 * a deleted manifest or an unlinked blob leaves bytes behind that nothing
 * else reclaims; abandoned upload sessions do the same.
 *
 * Collection marks each repository (see `_mark.ts`), plans what to remove
 * (`_plan.ts`), and sweeps with fresh checks (`_sweep.ts`). Nothing
 * younger than the grace period is ever removed, which is what keeps a
 * push that runs during collection whole: everything it writes is new.
 * Objects go in the order that keeps the store consistent if collection
 * is interrupted: referrers index entries before their records, records
 * and links before the shared blobs they name.
 *
 * @module
 */

import { listRepositories } from "../content/tags.ts";
import type { Storage } from "../storage/types.ts";
import { markRepository, type MarkSettings } from "./_mark.ts";
import { planRepository, type RepositoryPlan } from "./_plan.ts";
import { eachLimited } from "./_pool.ts";
import { ReferenceReader } from "./_references.ts";
import {
  type GarbageBlob,
  type GcItem,
  sweepBlobs,
  sweepRepository,
} from "./_sweep.ts";
import { findStaleUploads, removeStaleUpload } from "./_uploads.ts";
import { listBlobs } from "./_walk.ts";

export type { GcItem } from "./_sweep.ts";

/** Options for {@linkcode collectGarbage}. */
export interface GcOptions {
  /** Report what would be removed, and remove nothing. Defaults to false. */
  dryRun?: boolean;
  /** Blobs, manifest records, links and upload sessions younger than this
   * are never removed. Defaults to one hour. */
  gracePeriodMs?: number;
  /** Upload sessions with no activity for this long are removed. Defaults
   * to 24 hours. */
  uploadMaxAgeMs?: number;
  /** Also remove manifests no tag reaches (directly, through an index, or
   * as a referrer of a kept manifest). Defaults to false: a manifest
   * pushed by digest alone is kept. */
  deleteUntagged?: boolean;
  /** The time ages are measured from. Defaults to the current time. */
  now?: Date;
  /** Called as collection moves through its phases. */
  onProgress?: (event: GcProgress) => void;
}

/** Where collection is: `done` of `total` steps of `phase`. */
export interface GcProgress {
  /** `mark`: reading repositories; `blobs`: looking over the shared
   * blobs; `sweep`: removing; `uploads`: removing upload sessions. */
  phase: "mark" | "blobs" | "sweep" | "uploads";
  /** Steps finished. */
  done: number;
  /** Steps in the phase. */
  total: number;
}

/** What collection removed, or in a dry run would remove. */
export interface GcReport {
  /** True when nothing was removed because it was a dry run. */
  dryRun: boolean;
  /** Shared blobs (layers, configs, manifest bytes) removed. */
  blobsRemoved: number;
  /** Manifest records removed from repositories. */
  manifestsRemoved: number;
  /** Layer links removed from repositories. */
  linksRemoved: number;
  /** Referrers index entries removed. */
  referrersRemoved: number;
  /** Abandoned upload sessions removed. */
  uploadsRemoved: number;
  /** Storage space freed, in bytes. */
  bytesReclaimed: number;
  /** Every object removed. */
  items: GcItem[];
  /** What could not be read; repositories named here were left alone. */
  warnings: string[];
}

const hour = 60 * 60 * 1000;

/**
 * Removes unreachable blobs, manifest records, layer links, referrers
 * index entries and abandoned upload sessions from `storage`. Safe to run
 * while the registry serves; see the module documentation for how.
 *
 * @example Preview, then collect
 * ```ts
 * import { collectGarbage, MemoryStorage } from "../../mod.ts";
 *
 * const storage = new MemoryStorage();
 * const preview = await collectGarbage(storage, { dryRun: true });
 * console.log(preview.bytesReclaimed); // 0
 * const report = await collectGarbage(storage, { deleteUntagged: true });
 * console.log(report.items.length); // 0
 * ```
 */
export async function collectGarbage(
  storage: Storage,
  options: GcOptions = {},
): Promise<GcReport> {
  const now = (options.now ?? new Date()).getTime();
  const grace = duration(options.gracePeriodMs ?? hour, "gracePeriodMs");
  const uploadMaxAge = duration(
    options.uploadMaxAgeMs ?? 24 * hour,
    "uploadMaxAgeMs",
  );
  const warnings = new Set<string>();
  const settings: MarkSettings = {
    deleteUntagged: options.deleteUntagged ?? false,
    cutoff: now - grace,
    warn: (message) => warnings.add(message),
  };
  const progress = (phase: GcProgress["phase"], done: number, total: number) =>
    options.onProgress?.({ phase, done, total });
  const items: GcItem[] = [];
  const reader = new ReferenceReader(storage);
  const uploadCutoff = now - Math.max(grace, uploadMaxAge);
  const uploads = await findStaleUploads(storage, uploadCutoff);

  const repositories = await listRepositories(storage);
  const plans: RepositoryPlan[] = [];
  for (const [index, repository] of repositories.entries()) {
    progress("mark", index, repositories.length);
    const mark = await markRepository(storage, repository, settings, reader);
    plans.push(
      await planRepository(storage, mark, settings.cutoff, settings.warn),
    );
  }
  progress("mark", repositories.length, repositories.length);
  const needed = new Set(plans.flatMap((plan) => [...plan.needs]));
  const garbage = await findGarbageBlobs(storage, needed, settings, progress);

  if (options.dryRun) {
    items.push(...plans.flatMap(plannedItems));
    items.push(...garbage.map(blobItem));
    items.push(...uploads.map(uploadItem));
  } else {
    const sweeper = {
      storage,
      settings,
      reader,
      removed: items.push.bind(items),
    };
    const total = plans.length + garbage.length;
    const stillNeeded = new Set<string>();
    for (const [index, plan] of plans.entries()) {
      progress("sweep", index, total);
      for (const digest of await sweepRepository(sweeper, plan)) {
        stillNeeded.add(digest);
      }
    }
    await sweepBlobs(
      sweeper,
      garbage,
      stillNeeded,
      (done) => progress("sweep", plans.length + done, total),
    );
    for (const [index, upload] of uploads.entries()) {
      progress("uploads", index, uploads.length);
      if (await removeStaleUpload(storage, upload, uploadCutoff)) {
        items.push(uploadItem(upload));
      }
    }
    progress("uploads", uploads.length, uploads.length);
  }
  return summarize(items, [...warnings], options.dryRun ?? false);
}

async function findGarbageBlobs(
  storage: Storage,
  needed: Set<string>,
  settings: MarkSettings,
  progress: (phase: "blobs", done: number, total: number) => void,
): Promise<GarbageBlob[]> {
  const blobs = await listBlobs(storage, settings.warn);
  const garbage: GarbageBlob[] = [];
  let done = 0;
  await eachLimited(blobs, 8, async (blob) => {
    progress("blobs", done++, blobs.length);
    if (needed.has(blob.digest.value)) return;
    const info = await storage.stat(blob.key);
    if (info && info.modified.getTime() <= settings.cutoff) {
      garbage.push({ ...blob, size: info.size });
    }
  });
  progress("blobs", blobs.length, blobs.length);
  return garbage.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function plannedItems(plan: RepositoryPlan): GcItem[] {
  const repository = plan.mark.repository;
  return [
    ...plan.referrers.map((entry) => ({
      kind: "referrer" as const,
      key: entry.key,
      repository,
      digest: entry.referrer.value,
      size: entry.size,
    })),
    ...plan.records.map((record) => ({
      kind: "manifest" as const,
      key: record.key,
      repository,
      digest: record.digest.value,
      size: record.size,
    })),
    ...plan.links.map((link) => ({
      kind: "link" as const,
      key: link.key,
      repository,
      digest: link.digest.value,
      size: 0,
    })),
  ];
}

function blobItem(blob: GarbageBlob): GcItem {
  return {
    kind: "blob",
    key: blob.key,
    digest: blob.digest.value,
    size: blob.size,
  };
}

function uploadItem(upload: { key: string; size: number }): GcItem {
  return { kind: "upload", key: upload.key, size: upload.size };
}

function summarize(
  items: GcItem[],
  warnings: string[],
  dryRun: boolean,
): GcReport {
  const count = (kind: GcItem["kind"]) =>
    items.filter((item) => item.kind === kind).length;
  return {
    dryRun,
    blobsRemoved: count("blob"),
    manifestsRemoved: count("manifest"),
    linksRemoved: count("link"),
    referrersRemoved: count("referrer"),
    uploadsRemoved: count("upload"),
    bytesReclaimed: items.reduce((sum, item) => sum + item.size, 0),
    items,
    warnings,
  };
}

function duration(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative number, not ${value}`);
  }
  return value;
}
