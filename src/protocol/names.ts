/**
 * The grammar of repository names, tags and digests from the OCI
 * Distribution Specification. Every name, tag and digest is checked here
 * before it reaches storage, so none can ever act as a path.
 *
 * @module
 */

import { clip, RegistryError } from "./errors.ts";

const component = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
const namePattern = new RegExp(`^${component}(?:/${component})*$`);
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** The longest repository name accepted, as the reference registry does. */
export const maxNameLength = 255;

/** Digest algorithms the registry stores, with their hex length. */
export const digestAlgorithms = { sha256: 64, sha512: 128 } as const;

/** A supported digest algorithm. */
export type DigestAlgorithm = keyof typeof digestAlgorithms;

/** A digest split into its parts. */
export interface Digest {
  /** The algorithm, `sha256` or `sha512`. */
  algorithm: DigestAlgorithm;
  /** Lowercase hex of the hash. */
  hex: string;
  /** The whole digest string, `algorithm:hex`. */
  value: string;
}

/** Whether `name` is a valid repository name. */
export function isRepositoryName(name: string): boolean {
  return name.length <= maxNameLength && namePattern.test(name);
}

/** Returns `name`, or throws `NAME_INVALID`. */
export function parseRepositoryName(name: string): string {
  if (!isRepositoryName(name)) {
    throw new RegistryError(
      "NAME_INVALID",
      `invalid repository name '${clip(name)}'`,
    );
  }
  return name;
}

/** Whether `tag` is a valid tag. */
export function isTag(tag: string): boolean {
  return tagPattern.test(tag);
}

/** Returns `tag`, or throws `TAG_INVALID`. */
export function parseTag(tag: string): string {
  if (!isTag(tag)) {
    throw new RegistryError("TAG_INVALID", `invalid tag '${clip(tag)}'`);
  }
  return tag;
}

/** Whether `value` looks like a digest of any algorithm (`alg:encoded`). */
export function looksLikeDigest(value: string): boolean {
  return /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(value);
}

/**
 * Parses a digest of a supported algorithm, or throws `DIGEST_INVALID`
 * (also for well-formed digests of algorithms the registry cannot check).
 */
export function parseDigest(value: string): Digest {
  const colon = value.indexOf(":");
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  const length = digestAlgorithms[algorithm as DigestAlgorithm];
  if (
    colon < 0 || !length || hex.length !== length || !/^[0-9a-f]+$/.test(hex)
  ) {
    throw new RegistryError(
      "DIGEST_INVALID",
      `invalid or unsupported digest '${clip(value)}'`,
    );
  }
  return { algorithm: algorithm as DigestAlgorithm, hex, value };
}

/** A manifest reference: a tag or a digest. */
export type Reference =
  | { kind: "tag"; tag: string }
  | { kind: "digest"; digest: Digest };

/** Parses a manifest reference, throwing `TAG_INVALID` or `DIGEST_INVALID`. */
export function parseReference(value: string): Reference {
  if (value.includes(":")) {
    return { kind: "digest", digest: parseDigest(value) };
  }
  return { kind: "tag", tag: parseTag(value) };
}
