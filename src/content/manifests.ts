/**
 * Manifests in a repository: storing one after every check has passed,
 * reading one by tag or digest, and deleting. The order of writes is what
 * keeps the store consistent through a crash: the bytes first, then the
 * repository's record, then the referrers index entry, and the tag last,
 * so a tag never points at a manifest that is not whole.
 *
 * @module
 */

import { digestBytes } from "../protocol/digest.ts";
import { RegistryError } from "../protocol/errors.ts";
import { type ParsedManifest, parseManifest } from "../protocol/manifest.ts";
import { type Digest, parseDigest, type Reference } from "../protocol/names.ts";
import type { Storage } from "../storage/types.ts";
import { blobSize } from "./blobs.ts";
import type { ManifestCache } from "./manifest_cache.ts";
import { blobKey, referrerKey, revisionKey, tagKey } from "./keys.ts";
import { listTags } from "./tags.ts";
import { type ReferrerEntry, referrerEntry } from "./referrers.ts";

/** What the repository's record of a manifest holds. */
export interface ManifestRecord {
  mediaType: string;
  size: number;
  /** The digest of the manifest's subject, if it has one. */
  subject?: string;
}

/** A stored manifest, as served. */
export interface StoredManifest {
  digest: Digest;
  mediaType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** The outcome of a manifest push. */
export interface PushedManifest {
  digest: Digest;
  parsed: ParsedManifest;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Validates and stores a manifest under `reference`. Throws the spec's
 * errors for a malformed manifest, a digest that does not match, and
 * references to content the repository does not hold.
 */
export async function putManifest(
  storage: Storage,
  repository: string,
  reference: Reference,
  bytes: Uint8Array,
  contentType: string | null,
): Promise<PushedManifest> {
  const parsed = parseManifest(bytes, contentType);
  const algorithm = reference.kind === "digest"
    ? reference.digest.algorithm
    : "sha256";
  const digest = parseDigest(digestBytes(bytes, algorithm));
  if (reference.kind === "digest" && reference.digest.value !== digest.value) {
    throw new RegistryError(
      "DIGEST_INVALID",
      `manifest has digest ${digest.value}, not ${reference.digest.value}`,
    );
  }
  await checkReferences(storage, repository, parsed);

  const record: ManifestRecord = {
    mediaType: parsed.mediaType,
    size: bytes.byteLength,
    ...(parsed.subject ? { subject: parsed.subject.digest.value } : {}),
  };
  // Written even when already stored, so that the write makes it young
  // again and garbage collection's grace period protects it.
  await storage.write(blobKey(digest), bytes);
  await storage.write(revisionKey(repository, digest), json(record));
  if (parsed.subject) {
    const entry = referrerEntry(digest, bytes.byteLength, parsed);
    await storage.write(
      referrerKey(repository, parsed.subject.digest, digest),
      json(entry),
    );
  }
  if (reference.kind === "tag") {
    await storage.write(
      tagKey(repository, reference.tag),
      encoder.encode(digest.value),
    );
  }
  return { digest, parsed };
}

/** Reads a manifest by tag or digest; `undefined` if it is not there. */
export async function getManifest(
  storage: Storage,
  cache: ManifestCache,
  repository: string,
  reference: Reference,
): Promise<StoredManifest | undefined> {
  const digest = reference.kind === "digest"
    ? reference.digest
    : await resolveTag(storage, repository, reference.tag);
  if (!digest) return undefined;

  const record = await readRecord(storage, repository, digest);
  if (!record) return undefined;
  const bytes = cache.get(digest.value) ??
    await storage.readBytes(blobKey(digest));
  if (!bytes) return undefined;
  cache.set(digest.value, bytes);
  return { digest, mediaType: record.mediaType, bytes };
}

/** The digest a tag points at, if the tag exists. */
export async function resolveTag(
  storage: Storage,
  repository: string,
  tag: string,
): Promise<Digest | undefined> {
  const bytes = await storage.readBytes(tagKey(repository, tag));
  return bytes && parseDigest(decoder.decode(bytes).trim());
}

/** Reads the repository's record of a manifest. */
export async function readRecord(
  storage: Storage,
  repository: string,
  digest: Digest,
): Promise<ManifestRecord | undefined> {
  const bytes = await storage.readBytes(revisionKey(repository, digest));
  return bytes && JSON.parse(decoder.decode(bytes));
}

/**
 * Deletes a manifest by digest, with every tag that points at it and its
 * referrers index entry; throws `MANIFEST_UNKNOWN` if it is not there.
 */
export async function deleteManifest(
  storage: Storage,
  repository: string,
  digest: Digest,
): Promise<void> {
  const record = await readRecord(storage, repository, digest);
  if (!record) throw unknownManifest(digest.value);

  // Tags go first, so that no tag is left pointing at a missing manifest.
  for (const tag of await listTags(storage, repository)) {
    const target = await resolveTag(storage, repository, tag);
    if (target?.value === digest.value) {
      await storage.delete(tagKey(repository, tag));
    }
  }
  if (record.subject) {
    const subject = parseDigest(record.subject);
    await storage.delete(referrerKey(repository, subject, digest));
  }
  await storage.delete(revisionKey(repository, digest));
}

/** Deletes a tag only; throws `MANIFEST_UNKNOWN` if it is not there. */
export async function deleteTag(
  storage: Storage,
  repository: string,
  tag: string,
): Promise<void> {
  if (!(await storage.delete(tagKey(repository, tag)))) {
    throw unknownManifest(tag);
  }
}

async function checkReferences(
  storage: Storage,
  repository: string,
  parsed: ParsedManifest,
): Promise<void> {
  await Promise.all(parsed.blobs.map(async (blob) => {
    if (blob.foreign) return;
    const size = await blobSize(storage, repository, blob.digest);
    if (size === undefined) {
      throw new RegistryError(
        "MANIFEST_BLOB_UNKNOWN",
        `blob ${blob.digest.value} is not in repository '${repository}'`,
        { detail: { digest: blob.digest.value } },
      );
    }
    if (size !== blob.size) {
      throw new RegistryError(
        "MANIFEST_INVALID",
        `blob ${blob.digest.value} has size ${size}, the manifest says ${blob.size}`,
      );
    }
  }));
  // The specification names one code for any missing reference, blob or
  // manifest alike.
  await Promise.all(parsed.manifests.map(async (child) => {
    const record = await readRecord(storage, repository, child.digest);
    if (!record) {
      throw new RegistryError(
        "MANIFEST_BLOB_UNKNOWN",
        `manifest ${child.digest.value} is not in repository '${repository}'`,
        { detail: { digest: child.digest.value } },
      );
    }
    if (record.size !== child.size) {
      throw new RegistryError(
        "MANIFEST_INVALID",
        `manifest ${child.digest.value} has size ${record.size}, the index says ${child.size}`,
      );
    }
  }));
}

function unknownManifest(reference: string): RegistryError {
  return new RegistryError(
    "MANIFEST_UNKNOWN",
    `manifest '${reference}' is not in the repository`,
  );
}

function json(value: ManifestRecord | ReferrerEntry): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}
