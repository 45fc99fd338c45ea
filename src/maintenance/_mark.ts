/**
 * The mark phase of garbage collection for one repository: which manifest
 * records it keeps and which blobs those manifests need. Roots are the
 * tagged manifests, every record younger than the grace period (a push
 * may be about to tag it or list it in an index), and, unless untagged
 * manifests are to go, every record. From the roots the walk follows an
 * index to the manifests it lists, a manifest to its config and layers,
 * and a kept manifest to every manifest whose `subject` it is, so a
 * signature or SBOM attached to a kept image stays with it.
 *
 * A repository whose references cannot all be read (a record or manifest
 * that is missing or malformed, a tag that names no digest) is marked
 * uncertain: collection then removes nothing from it, because what the
 * unreadable part needs is unknown.
 *
 * @module
 */

import type { Digest } from "../protocol/names.ts";
import type { Storage } from "../storage/types.ts";
import { eachLimited } from "./_pool.ts";
import type { ReferenceReader } from "./_references.ts";
import { listLinks, listRecords, readTags, type Warn } from "./_walk.ts";

/** A manifest record as the mark phase saw it. */
export interface RecordEntry {
  digest: Digest;
  key: string;
  size: number;
  modified: Date;
  /** Undefined when the record could not be read. */
  mediaType?: string;
  subject?: string;
}

/** A layer link as the mark phase saw it. */
export interface LinkEntry {
  digest: Digest;
  key: string;
  modified: Date;
}

/** What one repository holds and what of it is kept. */
export interface RepositoryMark {
  repository: string;
  /** Manifest records by digest. */
  records: Map<string, RecordEntry>;
  /** Layer links by digest. */
  links: Map<string, LinkEntry>;
  /** Digests of the manifests kept. */
  kept: Set<string>;
  /** Digests of the blobs the kept manifests refer to. */
  referenced: Set<string>;
  /** False when something could not be read; nothing is then removed. */
  certain: boolean;
}

/** How a mark decides. */
export interface MarkSettings {
  deleteUntagged: boolean;
  /** Objects modified after this time (ms since the epoch) are young. */
  cutoff: number;
  warn: Warn;
}

/** How many storage calls a mark keeps in flight. */
const concurrency = 8;

/** Marks what `repository` keeps. */
export async function markRepository(
  storage: Storage,
  repository: string,
  settings: MarkSettings,
  reader: ReferenceReader,
): Promise<RepositoryMark> {
  const mark: RepositoryMark = {
    repository,
    records: new Map(),
    links: new Map(),
    kept: new Set(),
    referenced: new Set(),
    certain: true,
  };
  const warn = (message: string) => settings.warn(`${repository}: ${message}`);
  const uncertain = (message: string) => {
    mark.certain = false;
    warn(`${message}; nothing is removed from this repository`);
  };

  await readRecords(storage, mark, uncertain, warn);
  await readLinks(storage, mark, warn);

  const roots: string[] = [];
  for (const tag of await readTags(storage, repository, warn)) {
    if (tag.digest) roots.push(tag.digest.value);
    else uncertain(`tag '${tag.tag}' names no digest`);
  }
  for (const record of mark.records.values()) {
    const young = record.modified.getTime() > settings.cutoff;
    if (young || !settings.deleteUntagged) roots.push(record.digest.value);
  }
  await follow(mark, roots, reader, uncertain);
  return mark;
}

async function readRecords(
  storage: Storage,
  mark: RepositoryMark,
  uncertain: Warn,
  warn: Warn,
): Promise<void> {
  const listed = await listRecords(storage, mark.repository, warn);
  await eachLimited(listed, concurrency, async ({ digest, key }) => {
    const [info, bytes] = await Promise.all([
      storage.stat(key),
      storage.readBytes(key),
    ]);
    // Deleted since the listing.
    if (!info || !bytes) return;
    const entry: RecordEntry = {
      digest,
      key,
      size: info.size,
      modified: info.modified,
    };
    try {
      const record = JSON.parse(new TextDecoder().decode(bytes));
      if (typeof record.mediaType !== "string") throw new Error();
      entry.mediaType = record.mediaType;
      if (typeof record.subject === "string") entry.subject = record.subject;
    } catch {
      uncertain(`the record of manifest ${digest.value} is unreadable`);
    }
    mark.records.set(digest.value, entry);
  });
}

async function readLinks(
  storage: Storage,
  mark: RepositoryMark,
  warn: Warn,
): Promise<void> {
  const listed = await listLinks(storage, mark.repository, warn);
  await eachLimited(listed, concurrency, async ({ digest, key }) => {
    const info = await storage.stat(key);
    if (info) mark.links.set(digest.value, { digest, key, ...info });
  });
}

/** Marks the roots and everything reachable from them, level by level. */
async function follow(
  mark: RepositoryMark,
  roots: string[],
  reader: ReferenceReader,
  uncertain: Warn,
): Promise<void> {
  const referrers = new Map<string, string[]>();
  for (const record of mark.records.values()) {
    if (!record.subject) continue;
    const list = referrers.get(record.subject) ?? [];
    list.push(record.digest.value);
    referrers.set(record.subject, list);
  }

  let frontier = roots;
  while (frontier.length > 0) {
    // A tag or index naming a manifest the repository lacks marks nothing;
    // verification reports it.
    const fresh = [...new Set(frontier)].filter((digest) =>
      !mark.kept.has(digest) && mark.records.has(digest)
    );
    for (const digest of fresh) mark.kept.add(digest);
    const next: string[] = [];
    await eachLimited(fresh, concurrency, async (digest) => {
      next.push(...(referrers.get(digest) ?? []));
      const record = mark.records.get(digest)!;
      if (record.mediaType === undefined) return;
      const references = await reader.read(record.digest, record.mediaType);
      if (typeof references === "string") {
        uncertain(`manifest ${digest} is ${references}`);
        return;
      }
      // Foreign layers are marked too: if the registry holds one, a pull
      // may still fetch it from here.
      for (const blob of references.blobs) {
        mark.referenced.add(blob.digest.value);
      }
      next.push(...references.manifests.map((child) => child.value));
    });
    frontier = next;
  }
}
