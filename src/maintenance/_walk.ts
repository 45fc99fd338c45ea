/**
 * Walks the storage layout of `src/content/keys.ts` for the maintenance
 * tools: every blob under `blobs/`, the digests a repository holds
 * records or links for, its tags, and its referrers index entries. The
 * walk reads keys only through `Storage.list`; an object whose name does
 * not fit the layout is reported as a warning and otherwise left alone,
 * since a tool that cannot tell what something is must not remove it.
 *
 * @module
 */

import { giveWay } from "./_pool.ts";
import {
  blobKey,
  layersPrefix,
  referrerKey,
  referrersRoot,
  revisionsPrefix,
  tagKey,
  tagsPrefix,
} from "../content/keys.ts";
import {
  type Digest,
  type DigestAlgorithm,
  digestAlgorithms,
  parseDigest,
} from "../protocol/names.ts";
import type { Storage } from "../storage/types.ts";

/** Collects what a walk could not make sense of. */
export type Warn = (message: string) => void;

/** A stored object of the layout, keyed by the digest it stands for. */
export interface DigestObject {
  digest: Digest;
  key: string;
}

/** One entry of a repository's referrers index. */
export interface ReferrerIndexEntry {
  subject: Digest;
  referrer: Digest;
  key: string;
}

/** A tag and the digest it names; `digest` is undefined when unreadable. */
export interface TagEntry {
  tag: string;
  key: string;
  digest: Digest | undefined;
}

const decoder = new TextDecoder();

/** Every blob under `blobs/<alg>/<hh>/<hex>`. */
export async function listBlobs(
  storage: Storage,
  warn: Warn,
): Promise<DigestObject[]> {
  const blobs: DigestObject[] = [];
  for (const algorithm of await prefixes(storage, "blobs/", warn)) {
    if (!isAlgorithm(algorithm)) {
      warn(`blobs/${algorithm}/ is not a supported digest algorithm`);
      continue;
    }
    for (const fanout of await prefixes(storage, `blobs/${algorithm}/`, warn)) {
      await giveWay();
      const prefix = `blobs/${algorithm}/${fanout}/`;
      for (const entry of await storage.list(prefix)) {
        const key = prefix + entry.name;
        const digest = entry.prefix
          ? undefined
          : digestOf(algorithm, entry.name);
        if (digest && blobKey(digest) === key) blobs.push({ digest, key });
        else warn(`${key} is not a blob of the storage layout`);
      }
    }
  }
  return blobs;
}

/**
 * The digests below `prefix` laid out as `<alg>/<hex>`: a repository's
 * manifest records or its layer links.
 */
export async function listDigestObjects(
  storage: Storage,
  prefix: string,
  warn: Warn,
): Promise<DigestObject[]> {
  const found: DigestObject[] = [];
  for (const algorithm of await prefixes(storage, prefix, warn)) {
    const digests = await storage.list(`${prefix}${algorithm}/`);
    for (const entry of digests) {
      const key = `${prefix}${algorithm}/${entry.name}`;
      const digest = isAlgorithm(algorithm) && !entry.prefix
        ? digestOf(algorithm, entry.name)
        : undefined;
      if (digest) found.push({ digest, key });
      else warn(`${key} is not a digest of the storage layout`);
    }
  }
  return found;
}

/** A repository's manifest records, as `revisionKey` lays them out. */
export function listRecords(
  storage: Storage,
  repository: string,
  warn: Warn,
): Promise<DigestObject[]> {
  return listDigestObjects(storage, revisionsPrefix(repository), warn);
}

/** A repository's layer links, as `layerLinkKey` lays them out. */
export function listLinks(
  storage: Storage,
  repository: string,
  warn: Warn,
): Promise<DigestObject[]> {
  return listDigestObjects(storage, layersPrefix(repository), warn);
}

/** A repository's tags with the digests they name. */
export async function readTags(
  storage: Storage,
  repository: string,
  warn: Warn,
): Promise<TagEntry[]> {
  const entries = await storage.list(tagsPrefix(repository));
  const tags: TagEntry[] = [];
  for (const entry of entries) {
    if (entry.prefix) continue;
    const key = tagKey(repository, entry.name);
    const bytes = await storage.readBytes(key);
    // A tag deleted since the listing is simply gone.
    if (!bytes) continue;
    const text = decoder.decode(bytes).trim();
    const digest = tryDigest(text);
    if (!digest) warn(`${key} holds '${text.slice(0, 80)}', not a digest`);
    tags.push({ tag: entry.name, key, digest });
  }
  return tags;
}

/** A repository's referrers index entries. */
export async function listReferrerEntries(
  storage: Storage,
  repository: string,
  warn: Warn,
): Promise<ReferrerIndexEntry[]> {
  const root = referrersRoot(repository);
  const entries: ReferrerIndexEntry[] = [];
  for (const subject of await listSubjects(storage, root, warn)) {
    const prefix = `${root}${subject.algorithm}/${subject.hex}/`;
    for (const entry of await storage.list(prefix)) {
      const dash = entry.name.indexOf("-");
      const referrer = entry.prefix || dash < 0 ? undefined : tryDigest(
        `${entry.name.slice(0, dash)}:${entry.name.slice(dash + 1)}`,
      );
      const key = prefix + entry.name;
      if (referrer && referrerKey(repository, subject, referrer) === key) {
        entries.push({ subject, referrer, key });
      } else warn(`${key} is not a referrers index entry`);
    }
  }
  return entries;
}

/** Parses `value` as a supported digest, or undefined. */
export function tryDigest(value: string): Digest | undefined {
  try {
    return parseDigest(value);
  } catch {
    return undefined;
  }
}

async function listSubjects(
  storage: Storage,
  root: string,
  warn: Warn,
): Promise<Digest[]> {
  const subjects: Digest[] = [];
  for (const algorithm of await prefixes(storage, root, warn)) {
    for (const hex of await prefixes(storage, `${root}${algorithm}/`, warn)) {
      const digest = isAlgorithm(algorithm)
        ? digestOf(algorithm, hex)
        : undefined;
      if (digest) subjects.push(digest);
      else warn(`${root}${algorithm}/${hex}/ is not a subject digest`);
    }
  }
  return subjects;
}

/** The names of the prefixes directly below `prefix`; objects there are
 * not part of the layout and are reported. */
async function prefixes(
  storage: Storage,
  prefix: string,
  warn: Warn,
): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await storage.list(prefix)) {
    if (entry.prefix) names.push(entry.name);
    else warn(`${prefix}${entry.name} is not part of the storage layout`);
  }
  return names;
}

function isAlgorithm(name: string): name is DigestAlgorithm {
  return Object.hasOwn(digestAlgorithms, name);
}

function digestOf(algorithm: string, hex: string): Digest | undefined {
  return tryDigest(`${algorithm}:${hex}`);
}
