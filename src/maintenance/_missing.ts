/**
 * Finds references in a repository that lead nowhere: a tag naming a
 * manifest the repository has no record of, a record whose manifest bytes
 * are gone, a manifest whose config or layer is not stored or not linked
 * to the repository, an index listing a manifest the repository lacks, a
 * layer link to bytes that are gone, and a referrers index entry for a
 * manifest that is gone. Each of these makes a pull fail.
 *
 * The registry may be serving while this runs. It writes what a
 * reference points at before the reference and removes references before
 * what they point at, so a finding is checked a second time, and kept
 * only if the reference is still there and its target still absent.
 *
 * @module
 */

import { blobKey, layerLinkKey, revisionKey } from "../content/keys.ts";
import type { Digest } from "../protocol/names.ts";
import type { Storage } from "../storage/types.ts";
import { eachLimited } from "./_pool.ts";
import type { ReferenceReader } from "./_references.ts";
import {
  listLinks,
  listRecords,
  listReferrerEntries,
  readTags,
  tryDigest,
  type Warn,
} from "./_walk.ts";

/** Content a reference needs that the store does not have. */
export interface MissingContent {
  /** `blob`: the bytes are not under `blobs/`; `link`: the bytes are
   * stored but not linked to the repository, so it does not serve them;
   * `manifest`: the repository has no record of the manifest. */
  kind: "blob" | "link" | "manifest";
  /** The repository whose reference is broken. */
  repository: string;
  /** The digest that cannot be found. */
  digest: string;
  /** What refers to it, such as `tag latest` or `manifest sha256:…`. */
  referencedBy: string;
}

interface Finding {
  missing: MissingContent;
  /** Whether the reference is still there and its target still absent. */
  recheck: () => Promise<boolean>;
}

const decoder = new TextDecoder();

/** The broken references of one repository. */
export async function findMissing(
  storage: Storage,
  repository: string,
  reader: ReferenceReader,
  warn: Warn,
): Promise<MissingContent[]> {
  const findings: Finding[] = [];
  const has = async (key: string) => (await storage.stat(key)) !== undefined;
  const found = (
    kind: MissingContent["kind"],
    digest: Digest,
    referencedBy: string,
    referrerKey: string,
    targetKey: string,
  ) =>
    findings.push({
      missing: { kind, repository, digest: digest.value, referencedBy },
      recheck: async () => (await has(referrerKey)) && !(await has(targetKey)),
    });

  for (const tag of await readTags(storage, repository, warn)) {
    if (!tag.digest) continue;
    const record = revisionKey(repository, tag.digest);
    if (await has(record)) continue;
    const named = tag.digest.value;
    findings.push({
      missing: {
        kind: "manifest",
        repository,
        digest: named,
        referencedBy: `tag ${tag.tag}`,
      },
      recheck: async () =>
        (await tagNames(storage, tag.key)) === named && !(await has(record)),
    });
  }

  const records = await listRecords(storage, repository, warn);
  await eachLimited(records, 8, async ({ digest, key }) => {
    const bytes = await storage.readBytes(key);
    if (!bytes) return;
    let mediaType: unknown;
    try {
      mediaType = JSON.parse(decoder.decode(bytes)).mediaType;
    } catch {
      // Reported below.
    }
    if (typeof mediaType !== "string") {
      warn(
        `${repository}: the record of manifest ${digest.value} is unreadable`,
      );
      return;
    }
    const references = await reader.read(digest, mediaType);
    if (references === "missing") {
      found("blob", digest, "manifest record", key, blobKey(digest));
      return;
    }
    if (references === "malformed") {
      warn(`${repository}: manifest ${digest.value} does not parse`);
      return;
    }
    const by = `manifest ${digest.value}`;
    for (const blob of references.blobs) {
      if (blob.foreign) continue;
      const stored = blobKey(blob.digest);
      const link = layerLinkKey(repository, blob.digest);
      if (!(await has(stored))) found("blob", blob.digest, by, key, stored);
      else if (!(await has(link))) found("link", blob.digest, by, key, link);
    }
    for (const child of references.manifests) {
      const record = revisionKey(repository, child);
      if (!(await has(record))) found("manifest", child, by, key, record);
    }
  });

  const links = await listLinks(storage, repository, warn);
  await eachLimited(links, 8, async ({ digest, key }) => {
    const stored = blobKey(digest);
    if (!(await has(stored))) found("blob", digest, "layer link", key, stored);
  });

  for (const entry of await listReferrerEntries(storage, repository, warn)) {
    const record = revisionKey(repository, entry.referrer);
    if (await has(record)) continue;
    const by = `referrers of ${entry.subject.value}`;
    found("manifest", entry.referrer, by, entry.key, record);
  }

  const confirmed: MissingContent[] = [];
  for (const finding of findings) {
    if (await finding.recheck()) confirmed.push(finding.missing);
  }
  return confirmed;
}

async function tagNames(
  storage: Storage,
  key: string,
): Promise<string | undefined> {
  const bytes = await storage.readBytes(key);
  return bytes && tryDigest(decoder.decode(bytes).trim())?.value;
}
